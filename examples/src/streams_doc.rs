//! The streams reference, `docs/streams.md`: the hand-written explanation of reads and state
//! (`streams_doc/preamble.md`), then one section per stream rendered from
//! [`feishu_sync::all_streams`], whose schemas and field descriptions come from the record
//! types of [`feishu_sync::records`]. `gen-streams-doc` writes it; a test keeps it fresh.

use std::fmt::Write as _;

use feishu_sync::{Module, StreamSpec, SyncMode, all_streams};
use serde_json::Value;

/// How reads, state and each module's cursor work (written by hand).
const PREAMBLE: &str = include_str!("streams_doc/preamble.md");

fn module_title(module: Module) -> String {
    let name = module.as_str();
    let mut title = name[..1].to_ascii_uppercase();
    title.push_str(&name[1..]);
    title
}

fn mode_name(mode: SyncMode) -> &'static str {
    match mode {
        SyncMode::FullRefresh => "full_refresh",
        SyncMode::Incremental => "incremental",
        _ => "other",
    }
}

fn modes(spec: &StreamSpec) -> String {
    let names: Vec<&str> = spec.sync_modes.iter().map(|m| mode_name(*m)).collect();
    names.join(", ")
}

fn paths(keys: &[Vec<String>]) -> String {
    keys.iter()
        .map(|k| format!("`{}`", k.join(".")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cursor(spec: &StreamSpec) -> String {
    spec.cursor_field
        .as_ref()
        .map_or_else(|| "none".to_string(), |c| paths(std::slice::from_ref(c)))
}

/// A property schema as a short type name: `string`, `integer or null`, `any JSON`.
fn type_of(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any JSON".to_string(),
    }
}

/// One line of a table cell (a description may hold paragraphs).
fn cell(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn section(out: &mut String, spec: &StreamSpec) {
    let schema = &spec.json_schema;
    let _ = writeln!(out, "\n## `{}`\n", spec.name);
    if let Some(about) = schema["description"].as_str() {
        let _ = writeln!(out, "{}\n", cell(about));
    }
    let _ = writeln!(out, "- Module: {}", module_title(spec.module));
    let _ = writeln!(out, "- Sync modes: {}", modes(spec));
    let _ = writeln!(out, "- Primary key: {}", paths(&spec.primary_key));
    let _ = writeln!(out, "- Cursor: {}", cursor(spec));
    let _ = writeln!(out, "\n| Field | Type | Required | Description |");
    let _ = writeln!(out, "| --- | --- | --- | --- |");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    // Required fields first, in the schema's order, then the rest by name: the same order
    // whether or not serde_json's `preserve_order` is on in this build.
    let mut names: Vec<&String> = properties.keys().collect();
    names.sort_by_key(|n| {
        (
            required.iter().position(|r| r == n).unwrap_or(usize::MAX),
            n.as_str(),
        )
    });
    for name in names {
        let property = &properties[name.as_str()];
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | {} |",
            type_of(property),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            cell(property["description"].as_str().unwrap_or_default())
        );
    }
}

/// The streams reference as Markdown: the contents of `docs/streams.md`.
///
/// # Example
/// ```
/// let md = feishu_examples::streams_doc::render();
/// assert!(md.starts_with("# Streams reference"));
/// assert!(md.contains("## `contact_users`"));
/// ```
pub fn render() -> String {
    let streams = all_streams();
    let mut out = String::from(PREAMBLE);
    let _ = writeln!(out, "\n## Streams at a glance\n");
    let _ = writeln!(
        out,
        "| Stream | Module | Sync modes | Primary key | Cursor |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    for s in &streams {
        let _ = writeln!(
            out,
            "| [`{name}`](#{name}) | {} | {} | {} | {} |",
            module_title(s.module),
            modes(s),
            paths(&s.primary_key),
            cursor(s),
            name = s.name,
        );
    }
    for s in &streams {
        section(&mut out, s);
    }
    out
}
