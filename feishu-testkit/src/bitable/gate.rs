//! What every write to a table goes through before and after it is applied: the table exists,
//! the body is JSON, the `client_token` (a UUIDv4, replayed when seen before), and the rule that
//! a table takes one write at a time (1254291 "Write conflict" while another write is being
//! processed: the create-record page's error table,
//! <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/create>).

use std::time::Instant;

use serde_json::{Value, json};

use super::data::{BitableData, TokenEntry};
use super::handlers::{check_table, fail};
use crate::reply::Reply;
use crate::request::RequestView;

const WRONG_REQUEST_JSON: i64 = 1254000;
const INVALID_CLIENT_TOKEN: i64 = 1254037;
const WRITE_CONFLICT: i64 = 1254291;
const CLIENT_TOKEN_CONFLICT: i64 = 1255006;
const SUBMITTED_REPEATEDLY: i64 = 1254608;

/// A write let through: its body, and the key its reply is remembered under.
pub(super) struct Admitted {
    pub(super) body: Value,
    token_key: Option<String>,
}

/// Lets a write to `table` through, or answers it: an error, or the remembered reply of its
/// `client_token`. `op` names the operation (a token is only replayed for the same one).
pub(super) fn admit(
    data: &mut BitableData,
    req: &RequestView,
    app: &str,
    table: &str,
    op: &str,
) -> Result<Admitted, Reply> {
    check_table(data, app, table)?;
    let body = match (&req.json, req.body.is_empty()) {
        (Some(body), _) => body.clone(),
        (None, true) => json!({}),
        (None, false) => {
            return Err(fail(
                WRONG_REQUEST_JSON,
                "WrongRequestJson: the body is not JSON",
            ));
        }
    };
    let token = req.query_first("client_token").filter(|t| !t.is_empty());
    if let Some(token) = token
        && !is_uuid_v4(token)
    {
        return Err(fail(
            INVALID_CLIENT_TOKEN,
            "Invalid client token, make sure that it complies with the specification.",
        ));
    }
    let token_key = token.map(|t| format!("{op}:{t}"));
    let now = Instant::now();
    let Some(t) = data.table_mut(app, table) else {
        return Err(fail(1254041, "TableIdNotFound"));
    };
    let busy = t.busy_until.is_some_and(|until| now < until);
    let seen = token_key.as_ref().and_then(|k| t.tokens.get(k)).cloned();
    match (seen, busy) {
        (Some(_), true) => {
            data.stats.token_in_flight += 1;
            Err(fail(
                SUBMITTED_REPEATEDLY,
                "Same API requests are submitted repeatedly.",
            ))
        }
        (Some(entry), false) if entry.body == body => {
            data.stats.token_replays += 1;
            Err(Reply::ok(entry.data))
        }
        (Some(_), false) => Err(fail(
            CLIENT_TOKEN_CONFLICT,
            "Client token conflict, please generate a new client token and try again.",
        )),
        (None, true) => {
            data.stats.write_conflicts += 1;
            Err(fail(
                WRITE_CONFLICT,
                "Write conflict: another write to this table is still being processed",
            ))
        }
        (None, false) => Ok(Admitted { body, token_key }),
    }
}

/// Marks `table` busy for the write duration, remembers the reply under the write's token,
/// and answers once the write is done.
pub(super) fn commit(
    data: &mut BitableData,
    app: &str,
    table: &str,
    admitted: Admitted,
    reply: Value,
) -> Reply {
    let duration = data.write_duration;
    data.stats.writes_applied += 1;
    if let Some(t) = data.table_mut(app, table) {
        t.busy_until = Some(Instant::now() + duration);
        if let Some(key) = admitted.token_key {
            t.tokens.insert(
                key,
                TokenEntry {
                    body: admitted.body,
                    data: reply.clone(),
                },
            );
        }
    }
    Reply::ok(reply).delayed(duration)
}

/// `xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx` with hex digits and `N` one of `8 9 a b` (either
/// case): the "standard uuidv4 format" the create-record page asks for.
pub(super) fn is_uuid_v4(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
        && b[14] == b'4'
        && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_format() {
        assert!(is_uuid_v4("fe599b60-450f-46ff-b2ef-9f6675625b97"));
        assert!(is_uuid_v4("FE599B60-450F-46FF-B2EF-9F6675625B97"));
        assert!(
            !is_uuid_v4("fe599b60-450f-16ff-b2ef-9f6675625b97"),
            "version 1"
        );
        assert!(
            !is_uuid_v4("fe599b60-450f-46ff-c2ef-9f6675625b97"),
            "variant"
        );
        assert!(!is_uuid_v4("fe599b60450f46ffb2ef9f6675625b97"));
        assert!(!is_uuid_v4("not-a-token"));
    }
}
