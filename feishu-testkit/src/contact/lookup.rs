//! `POST /open-apis/contact/v3/users/batch_get_id`: user ids by email and mobile
//! (<https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/contact-v3/user/batch_get_id>).
//!
//! Body `{emails?, mobiles?, include_resigned?}`, each list at most 50 strings (more, or not
//! a list of strings → 40001). One entry per input, emails first: `{user_id, email|mobile,
//! status}` when found, `{email|mobile}` alone when not: unknown, resigned without
//! `include_resigned`, departed, outside the contact range, or an enterprise address. Emails
//! match ignoring case; a mobile may carry `+86`.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::data::{ContactData, UserKind};
use super::handlers::{id_types, param_error};
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;

/// Most emails and most mobiles per call.
const MAX_PER_LIST: usize = 50;

/// A list of strings from the body (`[]` when absent).
fn list<'a>(body: &'a Value, key: &str) -> Result<Vec<&'a str>, Reply> {
    let strings: Option<Vec<&str>> = match &body[key] {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    };
    match strings {
        None => Err(param_error(key, "", "must be a list of strings")),
        Some(s) if s.len() > MAX_PER_LIST => Err(param_error(
            key,
            &s.len().to_string(),
            "at most 50 per request",
        )),
        Some(s) => Ok(s),
    }
}

pub(super) fn batch_get_id(data: &Mutex<ContactData>, req: &RequestView) -> Reply {
    let (uk, _) = match id_types(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some(body) = req.json.as_ref().filter(|b| b.is_object()) else {
        return param_error("body", "", "the body must be a JSON object");
    };
    let (emails, mobiles) = match (list(body, "emails"), list(body, "mobiles")) {
        (Ok(e), Ok(m)) => (e, m),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let include_resigned = body["include_resigned"].as_bool().unwrap_or(false);
    let data = lock(data);
    let found = |u: Option<usize>| {
        u.filter(|&u| data.user_visible(u) && (include_resigned || !data.users[u].resigned))
    };
    let mut user_list = Vec::new();
    for email in emails {
        let user = found(data.find_by_email(email));
        user_list.push(entry(&data, user, uk, "email", email));
    }
    for mobile in mobiles {
        let user = found(data.find_by_mobile(mobile));
        user_list.push(entry(&data, user, uk, "mobile", mobile));
    }
    Reply::ok(json!({ "user_list": user_list }))
}

fn entry(data: &ContactData, user: Option<usize>, uk: UserKind, key: &str, asked: &str) -> Value {
    let mut out = json!({ key: asked });
    if let Some(u) = user {
        let who = &data.users[u];
        out["user_id"] = json!(data.user_id(u, uk));
        out["status"] = json!({
            "is_frozen": who.frozen, "is_resigned": who.resigned, "is_activated": !who.resigned,
            "is_exited": false, "is_unjoin": false,
        });
    }
    out
}

impl ContactData {
    /// The current user whose email is `email` (ignoring case; not the enterprise address).
    pub(super) fn find_by_email(&self, email: &str) -> Option<usize> {
        let email = email.trim().to_ascii_lowercase();
        let user_id = email.strip_suffix("@example.com")?;
        self.find_user(user_id, UserKind::User)
            .filter(|&u| self.email_of(u).eq_ignore_ascii_case(&email))
    }

    /// The current user whose mobile number is `mobile` (with or without `+86`).
    pub(super) fn find_by_mobile(&self, mobile: &str) -> Option<usize> {
        let mobile = mobile.trim();
        let national = mobile.strip_prefix("+86").unwrap_or(mobile);
        let index: usize = national.strip_prefix("138")?.parse().ok()?;
        (index < self.users.len()
            && self.users[index].departed_at.is_none()
            && self.mobile_of(index) == national)
            .then_some(index)
    }
}
