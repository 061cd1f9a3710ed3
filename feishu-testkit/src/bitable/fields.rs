//! The fields of a table: one of every documented type in the generated "All types" table,
//! any list for tables created through the API, and what the field write endpoints change.

use std::ops::Deref;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::rng::mix;

/// Which generated table a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    AllTypes,
    Customers,
    /// Created through the API (or a knob): no generated records, its own fields.
    Custom,
}

/// A field (or cell) name: a literal of the generated tables, or a name given through the API.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Name {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Name {
    pub(super) fn shared(name: &str) -> Name {
        Name::Shared(Arc::from(name))
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

/// One field of a table.
#[derive(Debug, Clone)]
pub(super) struct FieldDef {
    pub(super) id: String,
    pub(super) name: Name,
    pub(super) field_type: i64,
    pub(super) ui_type: Name,
    pub(super) property: Value,
    pub(super) description: Option<String>,
    /// For a field of a generated table: the name its generated cells carry (kept when the
    /// field is renamed through the API).
    pub(super) origin: Option<&'static str>,
}

impl FieldDef {
    /// Whether records may be written to this field (system, computed and flow fields may not:
    /// they are missing from the writable type list of the create-record page,
    /// https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create).
    pub(super) fn is_writable(&self) -> bool {
        !matches!(self.field_type, 19 | 20 | 24 | 1001..=1005 | 3001)
    }
}

/// Options of the `Status` single select.
pub(super) const STATUS: [&str; 3] = ["Open", "In progress", "Done"];
/// Options of the `Tags` multi select.
pub(super) const TAGS: [&str; 4] = ["vip", "rush", "new", "bulk"];
/// Options of the customers' `Region`.
pub(super) const REGIONS: [&str; 3] = ["North", "South", "West"];

fn options(names: &[&str]) -> Value {
    let options: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| json!({ "name": name, "id": format!("opt{i:03}"), "color": i }))
        .collect();
    json!({ "options": options })
}

/// The generated fields of a table of `kind` (number `table_no`); `customers` is the link
/// target table's id. A table created through the API has none.
pub(super) fn fields(kind: Kind, table_no: u64, customers: &str) -> Vec<FieldDef> {
    let mut i = 0;
    let mut f = |name: &'static str, field_type, ui_type: &'static str, property| {
        i += 1;
        FieldDef {
            id: field_id(table_no, i - 1),
            name: Name::Static(name),
            field_type,
            ui_type: Name::Static(ui_type),
            property,
            description: Some(format!("{name} column")),
            origin: Some(name),
        }
    };
    match kind {
        Kind::Custom => Vec::new(),
        Kind::Customers => vec![
            f("Name", 1, "Text", Value::Null),
            f("Region", 3, "SingleSelect", options(&REGIONS)),
            f("Revenue", 2, "Number", json!({ "formatter": "0.00" })),
        ],
        Kind::AllTypes => vec![
            f("Name", 1, "Text", Value::Null),
            f("Email", 1, "Email", Value::Null),
            f("Barcode", 1, "Barcode", Value::Null),
            f("Amount", 2, "Number", json!({ "formatter": "0.00" })),
            f(
                "Progress",
                2,
                "Progress",
                json!({ "formatter": "0%", "min": 0, "max": 1 }),
            ),
            f(
                "Price",
                2,
                "Currency",
                json!({ "formatter": "0.00", "currency_code": "CNY" }),
            ),
            f(
                "Rating",
                2,
                "Rating",
                json!({ "formatter": "0", "min": 1, "max": 5, "rating": { "symbol": "star" } }),
            ),
            f("Status", 3, "SingleSelect", options(&STATUS)),
            f("Tags", 4, "MultiSelect", options(&TAGS)),
            f(
                "Due",
                5,
                "DateTime",
                json!({ "date_formatter": "yyyy/MM/dd", "auto_fill": false }),
            ),
            f("Done", 7, "Checkbox", Value::Null),
            f("Owner", 11, "User", json!({ "multiple": true })),
            f("Phone", 13, "Phone", Value::Null),
            f("Site", 15, "Url", Value::Null),
            f("Files", 17, "Attachment", Value::Null),
            f(
                "Customer",
                18,
                "SingleLink",
                json!({ "table_id": customers, "table_name": "Customers", "multiple": false }),
            ),
            f(
                "Partners",
                21,
                "DuplexLink",
                json!({ "table_id": customers, "table_name": "Customers", "back_field_name": "Partner of", "multiple": true }),
            ),
            f(
                "Customer Name",
                19,
                "Lookup",
                json!({ "filter_info": { "target_table": customers } }),
            ),
            f(
                "Margin",
                20,
                "Formula",
                json!({ "formula_expression": "bitable::$table[tbl].$field[Amount]*0.1", "type": { "data_type": 2, "ui_type": "Number", "ui_property": { "formatter": "0.00" } } }),
            ),
            f(
                "Where",
                22,
                "Location",
                json!({ "location": { "input_type": "not_limit" } }),
            ),
            f("Chat", 23, "GroupChat", json!({ "multiple": false })),
            // Type 24 "流程" has ui_type "Stage" and is read-only (field guide:
            // https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-field/guide);
            // its cell value is not documented, so the generated one is a guess.
            f("Flow", 24, "Stage", Value::Null),
            f(
                "Created",
                1001,
                "CreatedTime",
                json!({ "date_formatter": "yyyy/MM/dd HH:mm" }),
            ),
            f(
                "Modified",
                1002,
                "ModifiedTime",
                json!({ "date_formatter": "yyyy/MM/dd HH:mm" }),
            ),
            f("Creator", 1003, "CreatedUser", Value::Null),
            f("Modifier", 1004, "ModifiedUser", Value::Null),
            f(
                "No.",
                1005,
                "AutoNumber",
                json!({ "auto_serial": { "type": "auto_increment_number" } }),
            ),
            f(
                "Action",
                3001,
                "Button",
                json!({ "button": { "title": "Approve" } }),
            ),
        ],
    }
}

/// The id of the `i`-th field a table was created with (fields added later get ids from
/// [`new_field_id`]).
fn field_id(table_no: u64, i: usize) -> String {
    format!(
        "fld{:010x}",
        mix(table_no << 16 | i as u64) & 0xFF_FFFF_FFFF
    )
}

/// The id of a field added through the API: `serial` counts the fields the table ever had.
pub(super) fn new_field_id(table_no: u64, serial: u64) -> String {
    format!(
        "fld{:010x}",
        mix(table_no << 16 | 0x8000 | serial) & 0xFF_FFFF_FFFF
    )
}

/// A field as `fields` lists it (and as the field write endpoints return it).
pub(super) fn field_json(i: usize, def: &FieldDef, text_as_array: bool) -> Value {
    let description = match &def.description {
        None => Value::Null,
        Some(text) if text_as_array => json!([{ "type": "text", "text": text }]),
        Some(text) => json!(text),
    };
    json!({
        "field_id": def.id,
        "field_name": &*def.name,
        "type": def.field_type,
        "ui_type": &*def.ui_type,
        "is_primary": i == 0,
        "is_hidden": false,
        "description": description,
        "property": def.property,
    })
}
