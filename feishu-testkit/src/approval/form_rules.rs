//! The create call's form checked against the definition's form, the way the documentation
//! describes it
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/approval-instance-form-control-parameters>):
//! every widget id must be one of the definition's and keep its type, the create API refuses
//! some widget types, choices are written by option id, dates are RFC 3339, required widgets
//! must have a value. A refusal is HTTP 400, code 1390001, with the widget named as
//! `控件=<id>` in the message, as the create page says Feishu does.

use serde_json::Value;

use super::handlers::PARAM_INVALID;
use super::people::Cast;
use crate::calendar::days_from_civil;
use crate::reply::Reply;

/// Widget types the create API does not accept (the page's "unsupported widgets" table).
const UNSUPPORTED: &[&str] = &[
    "text",
    "mutableGroup",
    "account",
    "serialNumber",
    "tripGroup",
    "apaascorehrOnboardingGroup",
    "apaascorehrRegularateGroup",
    "remedyGroupV2",
    "apaascorehrJobAdjustGroup",
    "apaascorehrOffboardingGroup",
];

/// HTTP 400, 1390001 naming the widget.
pub(super) fn widget_invalid(path: &str, why: &str) -> Reply {
    Reply::err(
        400,
        PARAM_INVALID,
        format!("param is invalid: 控件={path}: {why}"),
    )
}

/// Checks the submitted `form` (the parsed JSON array) against `definition` (the definition's
/// parsed form array). `cast` knows the users a `contact` widget may name.
pub(super) fn check_form(definition: &[Value], form: &Value, cast: &Cast) -> Result<(), Reply> {
    let Some(items) = form.as_array() else {
        return Err(Reply::err(
            400,
            PARAM_INVALID,
            "param is invalid: form must be a JSON array serialised to a string",
        ));
    };
    check_items(definition, items, "", cast)
}

fn check_items(
    definition: &[Value],
    items: &[Value],
    prefix: &str,
    cast: &Cast,
) -> Result<(), Reply> {
    let mut seen: Vec<&str> = Vec::new();
    for item in items {
        let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
        let path = if prefix.is_empty() {
            id.to_string()
        } else {
            format!("{prefix}.{id}")
        };
        if id.is_empty() {
            return Err(widget_invalid(prefix, "a form item has no id"));
        }
        let Some(def) = definition.iter().find(|d| d["id"] == id) else {
            return Err(widget_invalid(
                &path,
                "no such widget in the approval definition",
            ));
        };
        let def_type = def["type"].as_str().unwrap_or_default();
        if item.get("type").and_then(Value::as_str) != Some(def_type) {
            return Err(widget_invalid(&path, &format!("type must be {def_type}")));
        }
        if UNSUPPORTED.contains(&def_type) {
            return Err(widget_invalid(
                &path,
                &format!("{def_type} is not supported by the create API"),
            ));
        }
        if seen.contains(&id) {
            return Err(widget_invalid(&path, "the widget is given twice"));
        }
        seen.push(id);
        check_value(def, def_type, item, &path, cast)?;
    }
    for def in definition {
        let required = def["required"].as_bool().unwrap_or(false);
        let def_type = def["type"].as_str().unwrap_or_default();
        let id = def["id"].as_str().unwrap_or_default();
        let given = items.iter().find(|i| i["id"] == id).map(|i| &i["value"]);
        if required && !UNSUPPORTED.contains(&def_type) && given.is_none_or(is_empty) {
            let path = if prefix.is_empty() {
                id.to_string()
            } else {
                format!("{prefix}.{id}")
            };
            return Err(widget_invalid(&path, "the widget is required"));
        }
    }
    Ok(())
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn strings(v: &Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Value::as_str).collect()
}

fn is_number(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::String(s) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        _ => false,
    }
}

/// The members a widget's definition lists: a table's columns (`children`, or `value` as the
/// creation docs show) or a control group's members (`value`).
fn members(def: &Value) -> &[Value] {
    [&def["children"], &def["value"]]
        .into_iter()
        .find_map(|v| v.as_array().filter(|a| a.iter().any(Value::is_object)))
        .map_or(&[], Vec::as_slice)
}

fn check_value(
    def: &Value,
    def_type: &str,
    item: &Value,
    path: &str,
    cast: &Cast,
) -> Result<(), Reply> {
    let value = &item["value"];
    let bad = |why: &str| Err(widget_invalid(path, why));
    match def_type {
        "input" | "textarea" if !value.is_string() => bad("value must be a string"),
        "number" | "formula" | "amount" if !is_number(value) => bad("value must be a number"),
        "date" if value.as_str().and_then(rfc3339_secs).is_none() => {
            bad("value must be an RFC 3339 time")
        }
        "dateInterval" => check_interval(value, path),
        "radio" | "radioV2" => match value.as_str() {
            Some(choice) => check_options(def, &[choice], path),
            None => bad("value must be an option id"),
        },
        "checkbox" | "checkboxV2" => match strings(value) {
            Some(choices) => check_options(def, &choices, path),
            None => bad("value must be a list of option ids"),
        },
        "contact" => check_contact(item, path, cast),
        "department" => {
            let ok = value.as_array().is_some_and(|a| {
                a.iter()
                    .all(|d| d["open_id"].as_str().is_some_and(|s| !s.is_empty()))
            });
            if ok {
                Ok(())
            } else {
                bad("value must be a list of {open_id}")
            }
        }
        "attachment" | "attachmentV2" | "image" | "imageV2" | "connect"
            if strings(value).is_none() =>
        {
            bad("value must be a list of strings")
        }
        "document" if !(value["token"].is_string() && value["type"] == "docx") => {
            bad("value must be {token, type: docx}")
        }
        "telephone"
            if !(value["countryCode"].is_string() && value["nationalNumber"].is_string()) =>
        {
            bad("value must be {countryCode, nationalNumber}")
        }
        "fieldList" => {
            let Some(rows) = value.as_array() else {
                return bad("value must be a list of rows");
            };
            for (i, row) in rows.iter().enumerate() {
                let Some(cells) = row.as_array() else {
                    return bad("each row must be a list of widgets");
                };
                check_items(members(def), cells, &format!("{path}[{i}]"), cast)?;
            }
            Ok(())
        }
        t if t.ends_with("Group") && value.is_array() && !members(def).is_empty() => {
            let cells = value.as_array().map_or(&[][..], Vec::as_slice);
            check_items(members(def), cells, path, cast)
        }
        _ if value.is_null() => bad("value is missing"),
        _ => Ok(()),
    }
}

fn check_interval(value: &Value, path: &str) -> Result<(), Reply> {
    let start = value["start"].as_str().and_then(rfc3339_secs);
    let end = value["end"].as_str().and_then(rfc3339_secs);
    match (start, end) {
        (Some(s), Some(e)) if e >= s && is_number(&value["interval"]) => Ok(()),
        (Some(s), Some(e)) if e < s => Err(widget_invalid(path, "start time is after end time")),
        _ => Err(widget_invalid(
            path,
            "value must be {start, end (RFC 3339), interval}",
        )),
    }
}

/// Choices are written by option id (`option[].value`); a widget without an option list
/// (external options) takes any id.
fn check_options(def: &Value, choices: &[&str], path: &str) -> Result<(), Reply> {
    let Some(options) = def["option"].as_array() else {
        return Ok(());
    };
    let ids: Vec<&str> = options.iter().filter_map(|o| o["value"].as_str()).collect();
    match choices.iter().find(|c| !ids.contains(c)) {
        Some(c) => Err(widget_invalid(
            path,
            &format!("{c} is not an option of the widget"),
        )),
        None => Ok(()),
    }
}

/// `value`: user_ids, `open_ids`: open_ids; every one must be a user of the tenant.
fn check_contact(item: &Value, path: &str, cast: &Cast) -> Result<(), Reply> {
    let user_ids = strings(&item["value"]);
    let open_ids = match &item["open_ids"] {
        Value::Null => Some(Vec::new()),
        v => strings(v),
    };
    let (Some(user_ids), Some(open_ids)) = (user_ids, open_ids) else {
        return Err(widget_invalid(
            path,
            "value and open_ids must be lists of user ids",
        ));
    };
    let unknown = user_ids
        .iter()
        .find(|id| cast.find_user(id, "user_id").is_none())
        .or_else(|| {
            open_ids
                .iter()
                .find(|id| cast.find_user(id, "open_id").is_none())
        });
    match unknown {
        Some(id) => Err(widget_invalid(path, &format!("user {id} not found"))),
        None => Ok(()),
    }
}

/// Unix seconds of an RFC 3339 time (`2019-10-01T08:12:01+08:00`, fraction and `Z` allowed).
pub(super) fn rfc3339_secs(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 20 || seps.iter().any(|&(i, c)| !b[i].eq_ignore_ascii_case(&c)) {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (h, mi, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let days_in_month = [
        31,
        28 + i64::from(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)),
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = (
                rest[1..3].parse::<i64>().ok()?,
                rest[4..6].parse::<i64>().ok()?,
            );
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(
            rfc3339_secs("2025-01-01T08:00:00+08:00"),
            Some(1_735_689_600)
        );
        assert_eq!(
            rfc3339_secs("2025-01-01T00:00:00.123Z"),
            Some(1_735_689_600)
        );
        for bad in [
            "2025-02-30T00:00:00Z",
            "2025-01-01 00:00:00Z",
            "2025-01-01T00:00:00",
            "tomorrow",
            "2025-01-01T00:00:00+8:00",
        ] {
            assert_eq!(rfc3339_secs(bad), None, "{bad}");
        }
    }
}
