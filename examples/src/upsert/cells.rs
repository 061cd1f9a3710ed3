//! CSV in, typed cells out: reading the file, and typing each cell by its field's type.

use std::path::Path;

use feishu_bitable::{
    Attachment, FieldType, FieldValue, Fields, GroupChat, Location, Person, TableSchema, UrlValue,
};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// A CSV file: its header and its rows, each with its line number.
#[derive(Debug, Clone, Default)]
pub struct Csv {
    /// Column names.
    pub header: Vec<String>,
    /// `(line, cells)` per row.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads `path` (UTF-8, RFC 4180 quoting, a header line).
pub fn read_csv(path: &Path) -> Result<Csv, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if header.iter().any(String::is_empty) {
        return Err(format!("{}: a header column has no name", path.display()));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(Csv { header, rows })
}

/// A field type for column `i` of a table made from the file: number when every non-empty
/// cell is one, text otherwise.
pub fn guess_type(csv: &Csv, i: usize) -> i64 {
    let mut cells = csv
        .rows
        .iter()
        .filter_map(|(_, r)| r.get(i))
        .filter(|c| !c.is_empty())
        .peekable();
    let numeric = cells.peek().is_some() && cells.all(|c| c.trim().parse::<f64>().is_ok());
    if numeric { 2 } else { 1 }
}

/// One CSV row as the cells to write (empty cells left out).
pub fn row_fields(
    schema: &TableSchema,
    header: &[String],
    record: &[String],
) -> Result<Fields, String> {
    let mut fields = Fields::new();
    for (name, cell) in header.iter().zip(record) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        let field = schema
            .field(name)
            .ok_or_else(|| format!("the table has no field {name:?}"))?;
        let value = typed(field.field_type, cell).map_err(|why| format!("{name}: {why}"))?;
        fields.insert(name.clone(), value);
    }
    Ok(fields)
}

fn list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// A CSV cell as a value of a field of `field_type`.
pub fn typed(field_type: FieldType, cell: &str) -> Result<FieldValue, String> {
    use FieldType as T;
    Ok(match field_type {
        T::Text => FieldValue::Text(cell.to_string()),
        T::Number => FieldValue::Number(
            cell.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("{cell:?} is not a number"))?,
        ),
        T::SingleSelect => FieldValue::SingleSelect(cell.to_string()),
        T::MultiSelect => FieldValue::MultiSelect(list(cell).map(str::to_string).collect()),
        T::DateTime => FieldValue::DateTime(date(cell)?),
        T::Checkbox => FieldValue::Checkbox(match cell.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => true,
            "false" | "0" | "no" | "n" => false,
            _ => return Err(format!("{cell:?} is not true or false")),
        }),
        T::User => FieldValue::Users(list(cell).map(Person::new).collect()),
        T::Phone => FieldValue::Phone(cell.to_string()),
        T::Url => FieldValue::Url(UrlValue::new(cell, cell)),
        T::Attachment => FieldValue::Attachments(list(cell).map(Attachment::new).collect()),
        T::SingleLink | T::DuplexLink => {
            FieldValue::Link(list(cell).map(|id| id.to_string().into()).collect())
        }
        T::Location => {
            let mut place = Location::default();
            place.location = Some(cell.to_string());
            if place.coordinates().is_none() {
                return Err(format!("{cell:?} is not \"longitude,latitude\""));
            }
            FieldValue::Location(place)
        }
        T::GroupChat => FieldValue::GroupChats(list(cell).map(GroupChat::new).collect()),
        other => return Err(format!("fields of type {other} cannot be written")),
    })
}

/// Unix ms, RFC 3339, or a `YYYY-MM-DD` date (midnight UTC).
fn date(cell: &str) -> Result<OffsetDateTime, String> {
    if let Ok(ms) = cell.parse::<i64>() {
        return OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .map_err(|e| e.to_string());
    }
    if let Ok(t) = OffsetDateTime::parse(cell, &Rfc3339) {
        return Ok(t);
    }
    Date::parse(cell, format_description!("[year]-[month]-[day]"))
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| format!("{cell:?} is not Unix ms, RFC 3339 or YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_typed_by_their_field() {
        assert_eq!(
            typed(FieldType::Number, "12.5"),
            Ok(FieldValue::Number(12.5))
        );
        assert!(typed(FieldType::Number, "twelve").is_err());
        assert_eq!(
            typed(FieldType::Checkbox, "Yes"),
            Ok(FieldValue::Checkbox(true))
        );
        assert_eq!(
            typed(FieldType::MultiSelect, "a, b,,c"),
            Ok(FieldValue::MultiSelect(vec![
                "a".into(),
                "b".into(),
                "c".into()
            ]))
        );
        let day = typed(FieldType::DateTime, "2025-03-01").unwrap();
        assert_eq!(day.as_datetime().unwrap().unix_timestamp(), 1_740_787_200);
        assert_eq!(typed(FieldType::DateTime, "1740787200000"), Ok(day));
        assert!(typed(FieldType::Location, "here").is_err());
        assert!(typed(FieldType::Formula, "1").is_err());
    }
}
