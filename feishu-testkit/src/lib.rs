//! A fake Feishu / Lark tenant for tests: an in-process HTTP server on `127.0.0.1` that speaks
//! the Open Platform wire protocol, with fault knobs.
//!
//! It depends on no SDK crate and shares no types with one: it implements the protocol from
//! the documentation, so a client that works against it speaks Feishu, not itself.
//!
//! # What it serves
//!
//! - **Auth** (`/open-apis/auth/v3/*`, no `Authorization` needed): the custom-app
//!   `tenant_access_token/internal` and `app_access_token/internal`, the store-app
//!   `app_ticket/resend`, `app_access_token` and `tenant_access_token`. Flat replies
//!   `{code, msg, <token>, expire}`. A token is returned again while it has at least the
//!   re-issue threshold (default 30 min) left, with `expire` = remaining whole seconds;
//!   below that a new token is issued and the old one stays valid until it expires.
//!   [`FakeTenant::set_token_expire_field`] leaves `expire` out or makes it unparsable.
//! - **Everything else** needs `Authorization: Bearer <tenant token>`. Answers, all HTTP 400:
//!   missing header or not `Bearer <token>` → 99991661; token not starting with `t-`, `a-`
//!   or `u-` → 99991671; `u-` token → 99991668; unknown, expired, revoked or app token →
//!   99991663.
//! - **Diagnostics** (testkit-only, they do not exist on a real tenant):
//!   - `GET /open-apis/testkit/v1/echo/:segment` → `data: {segment, raw_path, segments,
//!     query: [[k, v], ..]}`; proves an id stays one path segment. (A segment that is
//!     exactly `.` or `..`, even percent-encoded as `%2E`, is removed by URL normalisation
//!     on the way in, so the path no longer matches and the reply is 404: such ids cannot be
//!     addressed at all and a client should reject them.)
//!   - `GET /open-apis/testkit/v1/numbers?total=&page_size=&page_token=` → `data: {items,
//!     has_more, page_token, total}` paging over `0..total` (default total 25, page_size 10,
//!     max 100). Page tokens are opaque and contain `+`, `/` and `=`. Query knobs, pages
//!     numbered from 1: `repeat_token_at=K` (page K answers with the token pointing at
//!     itself, i.e. the token it was given), `empty_token_at=K` (page K says
//!     `has_more: true` with `page_token: ""`), `endless_from=K` (page K and every page
//!     after it say `has_more: true` with a token never seen before and no items, forever),
//!     `fail_at=K` (page K fails with HTTP `fail_status`, default 400, and code `fail_code`,
//!     default 1390001).
//!   - `POST /open-apis/testkit/v1/numbers/search?page_size=&page_token=` with body
//!     `{"multiple_of": k, "total": n}`: the same paging over the multiples of `k` below `n`.
//!   - `GET /open-apis/testkit/v1/huge?bytes=N` → `data` is a string of `N` bytes.
//!   - `GET /open-apis/testkit/v1/whoami` → `data: {app_id, tenant_key, token}` of the
//!     caller's tenant token.
//! - **Modules**, over seeded, deterministic data, validating parameters the way Feishu does.
//!   Each module is one fake service owning its data; its knobs and ground truth are reached
//!   through a handle:
//!   - Approval v4 ([`FakeTenant::approval`], [`approval`]): definitions, instance listing
//!     (10-hour windows), instance details with forms of every widget type, instance search.
//!     Knobs: `set_dataset`, `add_instance`, `set_instance_status`, `set_instance_form`,
//!     `set_instance_field`; ground truth: `instance_codes`, `instance`, `instance_form`.
//!   - Bitable v1 ([`FakeTenant::bitable`], [`bitable`]): app, tables, views, fields of every
//!     type, records in both the list and the search shapes (generated on the fly, so
//!     1M-record tables cost no memory), wiki nodes; record, table and field writes with
//!     Feishu's validation, the one-writer-per-table rule (1254291) and `client_token`
//!     replay; Drive's subscribe for a Base. Knobs: `add_table`, `add_empty_table`,
//!     `insert_records`, `set_record_count`, `deny_app`, `add_wiki_node`,
//!     `upload_attachment`, `set_write_duration`, `set_lost_reply_share`; ground truth:
//!     `records`, `record_ids`, `record_json`, `field_names`, `write_stats`, `is_subscribed`.
//!   - Contact v3 ([`FakeTenant::contact`], [`ContactDataset`]): a department tree, users in
//!     several departments, resigned users, user groups and their members, the visible range
//!     (departments, users and groups). Knobs: `set_dataset`, `set_range`,
//!     `withhold_scope_user_ids`, `depart_user`, `hire_successor`, `set_recursion_limit`,
//!     `set_withheld_user_fields`, `link_child`; ground truth: `user_ids`,
//!     `visible_user_ids`, `subtree_user_ids`, `group_ids`, `group_user_ids`.
//!   - Attendance v1 ([`FakeTenant::attendance`], [`AttendanceDataset`]): punch flows and tasks
//!     for every user and day, departed users and reused ids included. Knobs: `set_dataset`,
//!     `set_out_of_scope_users`; ground truth: `flow_count`, `task_count`.
//! - **Events** ([`FakeTenant::events`], [`events`]): documented event bodies
//!   ([`events::EventTarget`]) posted to a webhook, signed and encrypted (`set_webhook_url`,
//!   `set_encrypt_key`, `post`, `post_at`, `post_challenge`), or served over the long
//!   connection: `POST /callback/ws/endpoint` (no token: the custom app's `AppID` /
//!   `AppSecret` in the body) hands out a loopback websocket. Once `events()` was called,
//!   `approval().add_instance`, `approval().set_instance_status`, `push_app_ticket` and the
//!   `app_ticket/resend` endpoint emit their events. Fault knobs: `drop_connections`,
//!   `drop_after_events`, `set_ack_timeout`, `redeliver`, `set_fragments`, `fail_endpoint`,
//!   `set_client_config`; records: `emitted`, `acks`, `acked_event_ids`, `connections`,
//!   `pings`, `endpoint_requests`, `webhook_deliveries`.
//! - An unknown path → HTTP 404, code 99991201 (`path not found: <METHOD> <path>`); a known
//!   path with the wrong method → HTTP 405, code 99991301. Bad parameters of the testkit
//!   endpoints → HTTP 400, code 99992402 with `error.field_violations`.
//!
//! Every response carries a unique `X-Tt-Logid` (`testkit-000001`, ...); JSON replies use
//! `Content-Type: application/json; charset=utf-8`, and error envelopes repeat the log id in
//! `error.log_id` (or `error.logid`, or both: [`FakeTenant::set_error_log_id_keys`]).
//!
//! # A realistic tenant
//!
//! [`FakeTenantBuilder::realistic`] turns on the rough edges of a real tenant at once: part
//! of the contact range granted through a user group, a user outside the attendance data
//! scope, a departed user whose ids were reused, Bitable list replies in the historic shape,
//! and error blocks carrying both `log_id` and `logid`.
//!
//! # Knobs that cut across services
//!
//! Credentials, tokens (`revoke_tokens`, `reject_all_tokens`, `advance_clock`), the journal,
//! faults, latency, rate limits and forbidden scopes stay on [`FakeTenant`] itself.
//!
//! Deterministic faults: [`FakeTenant::fail_next`] with a [`Fault`]; a tenant built with
//! [`FakeTenantBuilder::connection_faults`] can also reset a connection after applying a
//! request or cut a reply's body ([`Fault::ResetConnection`], [`Fault::CutReplyBody`]).
//! Random but seeded: [`FakeTenant::set_rate_limited_share`],
//! [`FakeTenant::set_server_error_share`], [`FakeTenant::set_malformed_share`]. Server-side limits exactly like Feishu's gateway
//! (fixed windows per endpoint family, counted per app and tenant, with
//! `x-ogw-ratelimit-limit` on the family's replies): [`FakeTenant::set_family_limit`],
//! [`FakeTenant::set_documented_rate_limits`], [`FakeTenant::set_rate_limit_window_offset`],
//! counted in [`FakeTenant::rate_limit_stats`]; smooth per-prefix token buckets:
//! [`FakeTenant::set_rate_limit`]. Missing scopes: [`FakeTenant::forbid`]. Latency:
//! [`FakeTenant::set_latency`]. Faults touch data requests only; latency touches all.
//!
//! The token endpoints and the long-connection endpoint answer first, untouched by faults and
//! limits. Any other request goes through, in order: queued fault, random share, token check,
//! forbidden prefix, rate limits, then the service that owns its path.
//!
//! # Example
//!
//! ```
//! use feishu_testkit::FakeTenant;
//! use serde_json::{Value, json};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tenant = FakeTenant::start().await;
//! let http = reqwest::Client::new();
//!
//! let auth: Value = http
//!     .post(tenant.url("/open-apis/auth/v3/tenant_access_token/internal"))
//!     .json(&json!({ "app_id": tenant.app_id(), "app_secret": tenant.app_secret() }))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! let token = auth["tenant_access_token"].as_str().unwrap();
//! assert_eq!(auth["expire"], 7200);
//!
//! let page: Value = http
//!     .get(tenant.url("/open-apis/testkit/v1/numbers?total=3"))
//!     .bearer_auth(token)
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(page["data"]["items"], json!([0, 1, 2]));
//! assert_eq!(page["data"]["has_more"], false);
//! assert_eq!(tenant.token_requests(), 1);
//!
//! // Module knobs and ground truth live on per-service handles.
//! let bitable = tenant.bitable();
//! assert!(bitable.set_record_count(&bitable.app_token(), &bitable.table_id(), 3));
//! assert_eq!(bitable.record_ids(&bitable.app_token(), &bitable.table_id()).len(), 3);
//! # Ok(())
//! # }
//! ```

pub mod approval;
pub mod attendance;
mod auth;
pub mod bitable;
mod builder;
mod calendar;
pub mod contact;
mod diag;
mod directory;
mod event_hub;
pub mod events;
mod faults;
mod journal;
mod lock;
mod lost_reply;
mod paging;
mod rate_limit;
mod realistic;
mod relay;
mod reply;
mod request;
mod rng;
mod router;
mod service;
mod tenant;

pub use approval::ApprovalKnobs;
pub use attendance::{AttendanceDataset, AttendanceKnobs};
pub use auth::ExpireField;
pub use bitable::BitableKnobs;
pub use builder::{
    DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_JOURNAL_CAPACITY, DEFAULT_SEED,
    DEFAULT_STORE_APP_ID, DEFAULT_STORE_APP_SECRET, DEFAULT_TENANT_KEY, DEFAULT_VERIFICATION_TOKEN,
    FakeTenantBuilder,
};
pub use contact::{ContactDataset, ContactKnobs, ContactRange};
pub use events::EventsKnobs;
pub use faults::{FAULT_RATE_LIMIT, FAULT_SCOPE, Fault};
pub use journal::JournalEntry;
pub use lost_reply::LostReply;
pub use rate_limit::{FamilyLimit, RateLimitStats, WindowStats};
pub use realistic::REALISTIC_DEPARTURE;
pub use reply::LogIdKeys;
pub use tenant::FakeTenant;
