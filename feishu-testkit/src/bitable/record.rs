//! One record as the fake stores it (generated from the seed, or written through the API),
//! before it is rendered in the list or the search shape.

use serde_json::Value;

use super::fields::Name;
use crate::rng::mix;

/// One generated cell, before it is rendered in the list or the search shape.
#[derive(Debug, Clone)]
pub(super) enum Cell {
    /// Text segments (list: concatenated string).
    Text(Vec<Value>),
    /// Plain text written through the API: one text segment (list: the string).
    PlainText(String),
    /// A number (list: decimal string).
    Number(f64),
    /// The same JSON in both shapes.
    Plain(Value),
    /// Linked records of `table_id`.
    Link {
        table_id: String,
        ids: Vec<String>,
        names: Vec<String>,
    },
    /// Lookup / formula: `{type, value}` in search, the rendered text as segments in list.
    Computed {
        data_type: i64,
        value: Value,
        text: String,
    },
    /// Created / modified by: one person (list) or a one-element array (search).
    Person(usize),
    /// Persons of a person field.
    Persons(Vec<usize>),
}

/// One record (generated, or written through the API), before rendering.
#[derive(Debug, Clone)]
pub(super) struct Generated {
    pub(super) record_id: String,
    pub(super) cells: Vec<(Name, Cell)>,
    pub(super) created_ms: i64,
    pub(super) modified_ms: i64,
    pub(super) creator: usize,
    pub(super) modifier: usize,
}

/// The id of generated record `index` of table `table_no`.
pub(super) fn generated_record_id(seed: u64, table_no: u64, index: u64) -> String {
    format!("rec{:016x}", mix((table_no << 40 | index) ^ seed))
}
