//! `docs/streams.md` is the rendering of the catalog: this fails when it is stale.
//!
//! Regenerate with `cargo run -p feishu-examples --bin gen-streams-doc`, or run this test with
//! `UPDATE_DOCS=1` to rewrite the file.

use std::path::PathBuf;

use feishu_examples::streams_doc::render;

#[test]
fn streams_reference_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/streams.md");
    let rendered = render();
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| !v.is_empty()) {
        std::fs::write(&path, &rendered).expect("write docs/streams.md");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != rendered {
        let line = current
            .lines()
            .zip(rendered.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || current.lines().count().min(rendered.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "{} is stale (first difference at line {line}).\n\
             Regenerate it: `cargo run -p feishu-examples --bin gen-streams-doc`\n\
             or: `UPDATE_DOCS=1 cargo test -p feishu-examples --test streams_doc`",
            path.display()
        );
    }
}

#[test]
fn every_stream_has_a_section_with_described_fields() {
    let rendered = render();
    for spec in feishu_sync::all_streams() {
        assert!(
            rendered.contains(&format!("\n## `{}`\n", spec.name)),
            "no section for {}",
            spec.name
        );
    }
    assert!(rendered.contains("| `record_id` | string | yes | Punch record id. |"));
    assert!(rendered.contains("| `end_time` | integer or null | no | Finish time"));
}
