//! Record predicates (search filters, parsed list formulas, view filters) and the sort order.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::Value;

use super::fields::FieldDef;
use super::people::{IdType, user_id};
use super::records::{Cell, Generated};

/// A cell reduced to something comparable.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
    List(Vec<String>),
}

/// A cell reduced to a comparable value (`None` for an empty one).
pub(super) fn scalar(cell: &Cell) -> Option<Scalar> {
    Some(match cell {
        Cell::Text(segments) => Scalar::Str(
            segments
                .iter()
                .map(|s| s["text"].as_str().unwrap_or_default())
                .collect(),
        ),
        Cell::PlainText(text) => Scalar::Str(text.clone()),
        Cell::Number(n) => Scalar::Num(*n),
        Cell::Link { ids, .. } => Scalar::List(ids.clone()),
        Cell::Computed { text, .. } => Scalar::Str(text.clone()),
        Cell::Person(n) => Scalar::List(vec![user_id(*n, IdType::Open)]),
        Cell::Persons(all) => Scalar::List(all.iter().map(|n| user_id(*n, IdType::Open)).collect()),
        Cell::Plain(v) => match v {
            Value::String(s) => Scalar::Str(s.clone()),
            Value::Number(n) => Scalar::Num(n.as_f64()?),
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Array(items) => Scalar::List(
                items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => s.clone(),
                        other => other
                            .get("id")
                            .or_else(|| other.get("name"))
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    })
                    .collect(),
            ),
            Value::Object(o) => Scalar::Str(
                ["text", "full_address", "flow_status"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .unwrap_or_default()
                    .to_string(),
            ),
            Value::Null => return None,
        },
    })
}

/// The cell of field `name`, if the record has one.
pub(super) fn cell_of<'a>(g: &'a Generated, name: &str) -> Option<&'a Cell> {
    g.cells.iter().find(|(n, _)| **n == *name).map(|(_, c)| c)
}

/// The sort order of two cells (empty cells first).
pub(super) fn compare(a: Option<&Scalar>, b: Option<&Scalar>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(Scalar::Num(x)), Some(Scalar::Num(y))) => x.total_cmp(y),
        (Some(Scalar::Bool(x)), Some(Scalar::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) => key(x).cmp(&key(y)),
    }
}

fn key(s: &Scalar) -> String {
    match s {
        Scalar::Str(s) => s.clone(),
        Scalar::Num(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::List(l) => l.join(","),
    }
}

/// A predicate over a generated record.
#[derive(Debug, Clone)]
pub(super) enum Pred {
    All(Vec<Pred>),
    Any(Vec<Pred>),
    Not(Box<Pred>),
    /// Search operator on a field.
    Op {
        field: String,
        op: String,
        values: Vec<String>,
    },
}

/// Whether a record matches.
pub(super) fn eval(pred: &Pred, g: &Generated) -> bool {
    match pred {
        Pred::All(ps) => ps.iter().all(|p| eval(p, g)),
        Pred::Any(ps) => ps.iter().any(|p| eval(p, g)),
        Pred::Not(p) => !eval(p, g),
        Pred::Op { field, op, values } => {
            let s = cell_of(g, field).and_then(scalar);
            let empty = match &s {
                None => true,
                Some(Scalar::Str(t)) => t.is_empty(),
                Some(Scalar::List(l)) => l.is_empty(),
                _ => false,
            };
            let first = values.last().map(String::as_str).unwrap_or_default();
            let equals = |s: &Scalar| match s {
                Scalar::Str(t) => t == first,
                Scalar::Num(n) => first.parse::<f64>().is_ok_and(|v| v == *n),
                Scalar::Bool(b) => first == b.to_string(),
                Scalar::List(l) => {
                    let mut a = l.clone();
                    let mut b = values.clone();
                    a.sort();
                    b.sort();
                    a == b || (values.len() == 1 && l.iter().any(|x| x == first))
                }
            };
            let contains = |s: &Scalar| match s {
                Scalar::Str(t) => values.iter().any(|v| t.contains(v.as_str())),
                Scalar::List(l) => values.iter().any(|v| l.contains(v)),
                other => equals(other),
            };
            let num = |s: &Option<Scalar>| match s {
                Some(Scalar::Num(n)) => Some(*n),
                _ => None,
            };
            let operand = first.parse::<f64>().ok();
            let cmp = |f: fn(f64, f64) -> bool| match (num(&s), operand) {
                (Some(a), Some(b)) => f(a, b),
                _ => false,
            };
            match op.as_str() {
                "isEmpty" => empty,
                "isNotEmpty" => !empty,
                "is" => match &s {
                    None => first.is_empty() || first == "false",
                    Some(v) => equals(v),
                },
                "isNot" => !s.as_ref().is_some_and(equals),
                "contains" => s.as_ref().is_some_and(contains),
                "doesNotContain" => !s.as_ref().is_some_and(contains),
                "isGreater" => cmp(|a, b| a > b),
                "isGreaterEqual" => cmp(|a, b| a >= b),
                "isLess" => cmp(|a, b| a < b),
                "isLessEqual" => cmp(|a, b| a <= b),
                _ => false,
            }
        }
    }
}

const OPERATORS: [&str; 10] = [
    "is",
    "isNot",
    "contains",
    "doesNotContain",
    "isEmpty",
    "isNotEmpty",
    "isGreater",
    "isGreaterEqual",
    "isLess",
    "isLessEqual",
];

/// Parses a search body `filter` over a table with `fields`.
pub(super) fn search_filter(filter: &Value, fields: &[FieldDef]) -> Result<Option<Pred>, String> {
    if filter.is_null() {
        return Ok(None);
    }
    fn group(v: &Value, names: &[FieldDef], depth: u8) -> Result<Pred, String> {
        let o = v.as_object().ok_or("filter must be an object")?;
        let conjunction = o
            .get("conjunction")
            .and_then(Value::as_str)
            .unwrap_or("and");
        if conjunction != "and" && conjunction != "or" {
            return Err(format!("conjunction {conjunction:?} is not and/or"));
        }
        let mut preds = Vec::new();
        let conditions = match o.get("conditions") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(c)) => c.as_slice(),
            Some(_) => return Err("conditions must be an array".into()),
        };
        if conditions.len() > 50 {
            return Err("at most 50 conditions".into());
        }
        for c in conditions {
            let field = c
                .get("field_name")
                .and_then(Value::as_str)
                .ok_or("condition without field_name")?;
            let Some(def) = names.iter().find(|d| *d.name == *field) else {
                return Err(format!("field {field:?} not found"));
            };
            // The record filter guide: formula and lookup fields cannot be filtered.
            if matches!(def.field_type, 19 | 20) {
                return Err(format!(
                    "formula and lookup fields ({field}) cannot be filtered"
                ));
            }
            let op = c
                .get("operator")
                .and_then(Value::as_str)
                .ok_or("condition without operator")?;
            if !OPERATORS.contains(&op) {
                return Err(format!("operator {op:?} is not supported"));
            }
            let values: Vec<String> = match c.get("value") {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .ok_or("values must be strings")
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err("value must be present (an array of strings)".into()),
            };
            if values.len() > 10 {
                return Err("at most 10 values".into());
            }
            let relative = [
                "Today",
                "Tomorrow",
                "Yesterday",
                "CurrentWeek",
                "LastWeek",
                "CurrentMonth",
                "LastMonth",
                "TheLastWeek",
                "TheNextWeek",
                "TheLastMonth",
                "TheNextMonth",
            ];
            if values.len() == 1 && relative.contains(&values[0].as_str()) {
                return Err("relative date values are not supported by the testkit".into());
            }
            preds.push(Pred::Op {
                field: field.to_string(),
                op: op.to_string(),
                values,
            });
        }
        if let Some(children) = o.get("children").filter(|c| !c.is_null()) {
            let children = children.as_array().ok_or("children must be an array")?;
            if depth > 0 && !children.is_empty() {
                return Err("only one level of children is allowed".into());
            }
            for child in children {
                preds.push(group(child, names, depth + 1)?);
            }
        }
        Ok(if conjunction == "and" {
            Pred::All(preds)
        } else {
            Pred::Any(preds)
        })
    }
    group(filter, fields, 0).map(Some)
}

/// A filter that is "any of these values" on one field (what an upsert sends: `or` over `is`
/// conditions), as the field and the value set, so a scan tests each record once.
pub(super) fn any_of(pred: &Pred) -> Option<(&str, HashSet<&str>)> {
    let Pred::Any(preds) = pred else {
        return None;
    };
    let mut field_name: Option<&str> = None;
    let mut set = HashSet::new();
    for p in preds {
        let Pred::Op { field, op, values } = p else {
            return None;
        };
        if op != "is" || values.len() != 1 || field_name.is_some_and(|f| f != field) {
            return None;
        }
        field_name = Some(field);
        set.insert(values[0].as_str());
    }
    Some((field_name?, set))
}

/// Whether `g` matches `pred`, using the value set of [`any_of`] when there is one (for text
/// cells; anything else is evaluated in full).
pub(super) fn matches(pred: &Pred, fast: Option<&(&str, HashSet<&str>)>, g: &Generated) -> bool {
    if let Some((field, set)) = fast
        && let Some(Scalar::Str(text)) = cell_of(g, field).and_then(scalar)
    {
        return set.contains(text.as_str());
    }
    eval(pred, g)
}
