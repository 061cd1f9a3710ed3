//! Flattening instances into rows for tabular sinks.
//!
//! A form becomes one [`FormRow`] per widget: every top-level widget, and for a `fieldList`
//! additionally one row per cell (parent id, row index, child widget). Each row has a stable
//! [`FormRow::path`] (`widget1`, `widget2[0].widget3`) that, together with the instance
//! code, is a primary key. Tasks, timeline events and comments become indexed rows.
//!
//! # Example
//! ```
//! use feishu_approval::{Form, rows::form_rows};
//! let form = Form::parse(r#"[
//!   {"id":"w1","name":"Item","type":"input","value":"Laptop"},
//!   {"id":"w2","name":"Lines","type":"fieldList","value":[[{"id":"w3","type":"amount","value":9.5}]]}
//! ]"#);
//! let rows = form_rows("INST-1", &form);
//! let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
//! assert_eq!(paths, ["w1", "w2", "w2[0].w3"]);
//! assert_eq!(rows[2].parent_widget_id.as_deref(), Some("w2"));
//! assert_eq!(rows[2].row_index, Some(0));
//! ```

use futures::stream::{self, Stream, StreamExt};
use serde::Serialize;
use serde_json::Value;

use feishu_core::Result;

use crate::comment::Comment;
use crate::detail::InstanceDetail;
use crate::form::Form;
use crate::instance::Instance;
use crate::task::Task;
use crate::timeline::TimelineEvent;
use crate::widget::Widget;

/// One widget (or `fieldList` cell) of one instance's form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FormRow {
    /// Instance code.
    pub instance_code: String,
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
    pub instance_code: String,
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
    pub instance_code: String,
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
    pub instance_code: String,
    /// Position in `comment_list`, from 0.
    pub index: usize,
    /// The comment.
    pub comment: Comment,
}

impl InstanceDetail {
    /// The form flattened into key/value rows (see [`form_rows`]).
    pub fn form_rows(&self) -> Vec<FormRow> {
        form_rows(self.code(), &self.form())
    }

    /// One row per task, with its index.
    pub fn task_rows(&self) -> Vec<TaskRow> {
        task_rows(&self.instance)
    }

    /// One row per timeline event, with its index.
    pub fn timeline_rows(&self) -> Vec<TimelineRow> {
        timeline_rows(&self.instance)
    }

    /// One row per comment, with its index.
    pub fn comment_rows(&self) -> Vec<CommentRow> {
        comment_rows(&self.instance)
    }
}

/// Flattens a form: every widget in order, each `fieldList` followed by its cells (row by
/// row), recursively. A malformed form gives no rows; check [`Form::warnings`].
pub fn form_rows(instance_code: &str, form: &Form) -> Vec<FormRow> {
    let mut out = Vec::new();
    for widget in &form.widgets {
        push(instance_code, widget, None, &mut out);
    }
    out
}

fn push(
    instance_code: &str,
    widget: &Widget,
    parent: Option<(&Widget, usize)>,
    out: &mut Vec<FormRow>,
) {
    out.push(FormRow {
        instance_code: instance_code.to_string(),
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

/// The tasks of an instance with their indexes.
pub fn task_rows(instance: &Instance) -> Vec<TaskRow> {
    instance
        .task_list
        .iter()
        .enumerate()
        .map(|(index, task)| TaskRow {
            instance_code: instance.instance_code.clone(),
            index,
            task: task.clone(),
        })
        .collect()
}

/// The timeline of an instance with indexes.
pub fn timeline_rows(instance: &Instance) -> Vec<TimelineRow> {
    instance
        .timeline
        .iter()
        .enumerate()
        .map(|(index, event)| TimelineRow {
            instance_code: instance.instance_code.clone(),
            index,
            event: event.clone(),
        })
        .collect()
}

/// The comments of an instance with indexes.
pub fn comment_rows(instance: &Instance) -> Vec<CommentRow> {
    instance
        .comment_list
        .iter()
        .enumerate()
        .map(|(index, comment)| CommentRow {
            instance_code: instance.instance_code.clone(),
            index,
            comment: comment.clone(),
        })
        .collect()
}

fn flat<S, T>(
    details: S,
    f: fn(&InstanceDetail) -> Vec<T>,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    S: Stream<Item = Result<InstanceDetail>> + Send + 'static,
    T: Send + 'static,
{
    details.flat_map(move |item| {
        let items: Vec<Result<T>> = match item {
            Ok(detail) => f(&detail).into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        };
        stream::iter(items)
    })
}

/// A stream of instances → a stream of their form rows (errors pass through in place).
pub fn form_row_stream<S>(details: S) -> impl Stream<Item = Result<FormRow>> + Send + 'static
where
    S: Stream<Item = Result<InstanceDetail>> + Send + 'static,
{
    flat(details, InstanceDetail::form_rows)
}

/// A stream of instances → a stream of their task rows.
pub fn task_row_stream<S>(details: S) -> impl Stream<Item = Result<TaskRow>> + Send + 'static
where
    S: Stream<Item = Result<InstanceDetail>> + Send + 'static,
{
    flat(details, InstanceDetail::task_rows)
}

/// A stream of instances → a stream of their timeline rows.
pub fn timeline_row_stream<S>(
    details: S,
) -> impl Stream<Item = Result<TimelineRow>> + Send + 'static
where
    S: Stream<Item = Result<InstanceDetail>> + Send + 'static,
{
    flat(details, InstanceDetail::timeline_rows)
}

/// A stream of instances → a stream of their comment rows.
pub fn comment_row_stream<S>(details: S) -> impl Stream<Item = Result<CommentRow>> + Send + 'static
where
    S: Stream<Item = Result<InstanceDetail>> + Send + 'static,
{
    flat(details, InstanceDetail::comment_rows)
}
