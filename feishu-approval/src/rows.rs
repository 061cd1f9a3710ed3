//! Flattening instances into rows for tabular sinks.
//!
//! A form becomes one [`FormRow`] per widget: every top-level widget, and for a `fieldList`
//! additionally one row per cell (parent id, row index, child widget). Each row has a stable
//! [`FormRow::path`] (`widget1`, `widget2[0].widget3`) that, together with the instance
//! code, is a primary key. Tasks, timeline events and comments become indexed rows.

use serde::Serialize;
use serde_json::Value;

use crate::comment::Comment;
use crate::detail::InstanceDetail;
use crate::form::Form;
use crate::ids::InstanceCode;
use crate::task::Task;
use crate::timeline::TimelineEvent;
use crate::widget::Widget;

/// One widget (or `fieldList` cell) of one instance's form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FormRow {
    /// Instance code.
    pub instance_code: InstanceCode,
    /// Stable key within the form (see [`Widget::path`]).
    pub path: String,
    /// Widget id.
    pub widget_id: String,
    /// Widget label (may be empty for cells).
    pub name: String,
    /// Widget type as its wire string.
    pub widget_type: String,
    /// The value as sent (for a `fieldList`, the whole table).
    pub value: Value,
    /// `ext`, when present.
    pub ext: Option<Value>,
    /// For a cell: the `fieldList` widget's id.
    pub parent_widget_id: Option<String>,
    /// For a cell: the `fieldList` widget's path.
    pub parent_path: Option<String>,
    /// For a cell: the row index within the table, from 0.
    pub row_index: Option<usize>,
}

/// One task of an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TaskRow {
    /// Instance code.
    pub instance_code: InstanceCode,
    /// Position in `task_list`, from 0.
    pub index: usize,
    /// The task.
    pub task: Task,
}

/// One timeline event of an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TimelineRow {
    /// Instance code.
    pub instance_code: InstanceCode,
    /// Position in `timeline`, from 0.
    pub index: usize,
    /// The event.
    pub event: TimelineEvent,
}

/// One comment of an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CommentRow {
    /// Instance code.
    pub instance_code: InstanceCode,
    /// Position in `comment_list`, from 0.
    pub index: usize,
    /// The comment.
    pub comment: Comment,
}

impl InstanceDetail {
    /// The form flattened into key/value rows (see [`form_rows`]).
    pub fn form_rows(&self) -> Vec<FormRow> {
        form_rows(self.code(), self.form())
    }

    /// One row per task, with its index.
    pub fn task_rows(&self) -> Vec<TaskRow> {
        let code = self.code();
        let tasks = self.instance().task_list.iter().cloned();
        tasks
            .enumerate()
            .map(|(index, task)| TaskRow {
                instance_code: code.clone(),
                index,
                task,
            })
            .collect()
    }

    /// One row per timeline event, with its index.
    pub fn timeline_rows(&self) -> Vec<TimelineRow> {
        let code = self.code();
        let events = self.instance().timeline.iter().cloned();
        events
            .enumerate()
            .map(|(index, event)| TimelineRow {
                instance_code: code.clone(),
                index,
                event,
            })
            .collect()
    }

    /// One row per comment, with its index.
    pub fn comment_rows(&self) -> Vec<CommentRow> {
        let code = self.code();
        let comments = self.instance().comment_list.iter().cloned();
        comments
            .enumerate()
            .map(|(index, comment)| CommentRow {
                instance_code: code.clone(),
                index,
                comment,
            })
            .collect()
    }
}

/// Flattens a form: every widget in order, each `fieldList` followed by its cells (row by
/// row), recursively. A malformed form gives no rows; check [`Form::warnings`].
///
/// # Example
/// ```
/// use feishu_approval::{Form, InstanceCode, form_rows};
/// let form = Form::parse(r#"[
///   {"id":"w1","name":"Item","type":"input","value":"Laptop"},
///   {"id":"w2","name":"Lines","type":"fieldList","value":[[{"id":"w3","type":"amount","value":9.5}]]}
/// ]"#);
/// let rows = form_rows(&InstanceCode::from("INST-1"), &form);
/// let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
/// assert_eq!(paths, ["w1", "w2", "w2[0].w3"]);
/// assert_eq!(rows[2].parent_widget_id.as_deref(), Some("w2"));
/// assert_eq!(rows[2].row_index, Some(0));
/// ```
pub fn form_rows(instance_code: &InstanceCode, form: &Form) -> Vec<FormRow> {
    let mut out = Vec::new();
    for widget in &form.widgets {
        push(instance_code, widget, None, &mut out);
    }
    out
}

fn push(
    instance_code: &InstanceCode,
    widget: &Widget,
    parent: Option<(&Widget, usize)>,
    out: &mut Vec<FormRow>,
) {
    out.push(FormRow {
        instance_code: instance_code.clone(),
        path: widget.path.clone(),
        widget_id: widget.id.clone(),
        name: widget.name.clone(),
        widget_type: widget.type_str().to_string(),
        value: widget.value.clone(),
        ext: widget.ext.clone(),
        parent_widget_id: parent.map(|(p, _)| p.id.clone()),
        parent_path: parent.map(|(p, _)| p.path.clone()),
        row_index: parent.map(|(_, r)| r),
    });
    for (r, row) in widget.rows.iter().enumerate() {
        for cell in row {
            push(instance_code, cell, Some((widget, r)), out);
        }
    }
}
