//! W5: many concurrent calls on a cold client, which must fetch exactly one token.

use feishu_core::{Endpoint, RateLimit, Request};
use serde_json::Value;

use super::{Env, Meter, Outcome, Prepared, Res, with_stats};

/// The fake's `whoami`: costs nothing to serve.
const WHOAMI: Endpoint = Endpoint::get("testkit.whoami", "testkit/v1/whoami");

/// A real tenant's cheapest read: a one-item contact scopes page.
/// <https://open.feishu.cn/document/server-docs/contact-v3/scope/list>
const SCOPES: Endpoint = Endpoint::get("contact.scopes", "contact/v3/scopes")
    .limit(RateLimit::per_minute(1000).and_per_second(50));

/// W5: `storm` concurrent calls on a cold client; exactly one token fetch is expected.
pub(super) async fn token_storm(env: &Env, data: &Prepared) -> Res<Outcome> {
    let n = env.opts.storm;
    let client = env.client()?;
    let before = env.tenant.as_ref().map(|t| t.token_requests());
    let meter = Meter::start()?;
    let calls = (0..n).map(|_| {
        let client = client.clone();
        let fake = data.fake;
        async move {
            let req = if fake {
                Request::new(WHOAMI, &[])
            } else {
                Request::new(SCOPES, &[]).map(|r| r.query("page_size", "1"))
            };
            client.send::<Value>(req?).await
        }
    });
    let results = futures::future::join_all(calls).await;
    let measured = meter.stop()?;
    let failures = results.iter().filter(|r| r.is_err()).count() as u64;
    let mut notes = vec![format!("{n} concurrent calls")];
    if let (Some(t), Some(before)) = (&env.tenant, before) {
        notes.push(format!(
            "fake saw {} token requests",
            t.token_requests() - before
        ));
    }
    if let Some(e) = results.iter().find_map(|r| r.as_ref().err()) {
        notes.push(format!("first error: {e}"));
    }
    let out = Outcome {
        items: n as u64 - failures,
        measured,
        failed: failures,
        notes,
        ..Outcome::default()
    };
    let mut out = with_stats(out, &client);
    // A failed call is counted by the client too; count it once.
    out.failed = out.failed.max(failures);
    Ok(out)
}
