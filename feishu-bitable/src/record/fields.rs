//! [`Fields`]: the cells one record write sets.

use std::collections::BTreeMap;

use feishu_core::Error;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use crate::value::{FieldValue, WriteValue};

/// One cell of a write.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Value(FieldValue),
    Raw(Value),
    Clear,
}

/// The cells a record write sets, keyed by field **name** (as record `fields` are): typed
/// [`FieldValue`]s, raw wire values, or `null` to empty a cell.
///
/// Values are turned into the write shapes when the call is sent
/// ([`FieldValue::to_write_value`]); one that cannot be written (a formula value, say) fails
/// the call with [`Error::InvalidArgument`] naming the field, before any request.
///
/// # Example
/// ```
/// use feishu_bitable::{FieldValue, Fields, Person};
/// let fields = Fields::new()
///     .set("Order", "SO-1001")
///     .set("Amount", 1280.5)
///     .set("Paid", true)
///     .set("Status", FieldValue::SingleSelect("Open".into()))
///     .set("Owner", FieldValue::Users(vec![Person::new("ou_3f2e")]))
///     .clear("Note");
/// assert_eq!(fields.len(), 6);
/// assert_eq!(
///     serde_json::to_value(fields.to_write_map()?)?["Owner"],
///     serde_json::json!([{"id": "ou_3f2e"}])
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    cells: BTreeMap<String, Cell>,
}

impl Fields {
    /// No cells.
    pub fn new() -> Self {
        Fields::default()
    }

    /// Sets a cell to a typed value (`&str`, numbers, `bool`, `OffsetDateTime`, [`UrlValue`](crate::UrlValue)
    /// and [`Location`](crate::Location) convert; other kinds are built as [`FieldValue`]s).
    pub fn set(mut self, field_name: impl Into<String>, value: impl Into<FieldValue>) -> Self {
        self.insert(field_name, value);
        self
    }

    /// Sets a cell to a value sent exactly as given (a shape this SDK does not model).
    pub fn set_raw(mut self, field_name: impl Into<String>, value: Value) -> Self {
        self.cells.insert(field_name.into(), Cell::Raw(value));
        self
    }

    /// Empties a cell (sends `null`; in an update, the cell is cleared).
    pub fn clear(mut self, field_name: impl Into<String>) -> Self {
        self.cells.insert(field_name.into(), Cell::Clear);
        self
    }

    /// Sets a cell, in place.
    pub fn insert(&mut self, field_name: impl Into<String>, value: impl Into<FieldValue>) {
        self.cells
            .insert(field_name.into(), Cell::Value(value.into()));
    }

    /// The typed value set for a field (`None` when unset, raw or cleared).
    pub fn get(&self, field_name: &str) -> Option<&FieldValue> {
        match self.cells.get(field_name)? {
            Cell::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The raw wire value set for a field with [`set_raw`](Self::set_raw).
    pub fn get_raw(&self, field_name: &str) -> Option<&Value> {
        match self.cells.get(field_name)? {
            Cell::Raw(v) => Some(v),
            _ => None,
        }
    }

    /// The field names set, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.cells.keys().map(String::as_str)
    }

    /// How many cells are set.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether no cell is set.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Checks that every value can be written (see [`FieldValue::to_write_value`]).
    pub fn check(&self) -> Result<(), Error> {
        for (name, cell) in &self.cells {
            if let Cell::Value(v) = cell {
                v.check_writable().map_err(|why| {
                    Error::invalid_argument("fields", format!("field {name:?}: {why}"))
                })?;
            }
        }
        Ok(())
    }

    /// The cells as the write endpoints take them (`fields` of a request body).
    pub fn to_write_map(&self) -> Result<serde_json::Map<String, Value>, Error> {
        self.check()?;
        self.cells
            .iter()
            .map(|(name, cell)| {
                let value = match cell {
                    Cell::Value(v) => v.to_write_value()?,
                    Cell::Raw(v) => v.clone(),
                    Cell::Clear => Value::Null,
                };
                Ok((name.clone(), value))
            })
            .collect()
    }

    /// A serialiser of the checked cells in their write shapes, without an intermediate JSON
    /// tree (call [`check`](Self::check) first).
    pub(crate) fn wire(&self) -> WireFields<'_> {
        WireFields(self)
    }
}

impl<K: Into<String>, V: Into<FieldValue>> FromIterator<(K, V)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut fields = Fields::new();
        for (k, v) in iter {
            fields.insert(k, v);
        }
        fields
    }
}

/// [`Fields`] serialised as a write body's `fields` object.
pub(crate) struct WireFields<'a>(&'a Fields);

impl Serialize for WireFields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.cells.len()))?;
        for (name, cell) in &self.0.cells {
            match cell {
                Cell::Value(v) => map.serialize_entry(name, &WriteValue(v))?,
                Cell::Raw(v) => map.serialize_entry(name, v)?,
                Cell::Clear => map.serialize_entry(name, &Value::Null)?,
            }
        }
        map.end()
    }
}
