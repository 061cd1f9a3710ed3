//! Bitable (Base) v1 of the fake tenant, plus the wiki node lookup that resolves a wiki node
//! to a Base (<https://open.feishu.cn/document/ukTMukTMukTM/uUDN04SN0QjL1QDN/bitable-overview>):
//!
//! - `GET /open-apis/bitable/v1/apps/:app_token`
//! - `GET /open-apis/bitable/v1/apps/:app_token/tables` (`page_size` 1–100, default 20)
//! - `GET .../tables/:table_id/views` (`page_size` 1–100, default 20, `user_id_type`)
//! - `GET .../tables/:table_id/fields` (`view_id`, `text_field_as_array`, `page_size` 1–100)
//! - `GET .../tables/:table_id/records` (legacy list: `view_id`, `filter` formula, `sort` JSON
//!   string array, `field_names` JSON string array, `text_field_as_array`, `automatic_fields`,
//!   `user_id_type`, `page_size` 1–500 default 20, `page_token`)
//! - `POST .../tables/:table_id/records/search` (body `view_id`, `field_names`, `sort`,
//!   `filter`, `automatic_fields`; query `user_id_type`, `page_size` 1–500, `page_token`)
//! - `POST .../tables/:table_id/records/batch_get` (body `record_ids` 1–100, `user_id_type`,
//!   `with_shared_url`, `automatic_fields`): the live records in search's shape, the other ids
//!   in `absent_record_ids`; a missing, empty or over-long `record_ids` → 1254001
//! - `GET /open-apis/wiki/v2/spaces/get_node?token=&obj_type=` (wiki nodes)
//!
//! Writes (see [Writes](#writes)):
//!
//! - `POST .../records` (create; `client_token`, `user_id_type`, `ignore_consistency_check`),
//!   `PUT .../records/:record_id` (update), `DELETE .../records/:record_id` (delete)
//! - `POST .../records/batch_create` (≤ 1,000), `.../batch_update` (≤ 1,000),
//!   `.../batch_delete` (≤ 500)
//! - `POST /open-apis/bitable/v1/apps/:app_token/tables` (create a table with fields),
//!   `DELETE .../tables/:table_id`
//! - `POST .../tables/:table_id/fields` (`client_token`), `PUT .../fields/:field_id`,
//!   `DELETE .../fields/:field_id`
//! - `POST /open-apis/drive/v1/files/:file_token/subscribe?file_type=bitable` (a Base's
//!   events; [`BitableKnobs::is_subscribed`]): once events are in use
//!   ([`FakeTenant::events`](crate::FakeTenant::events)), every record write to a
//!   subscribed Base emits `drive.file.bitable_record_changed_v1` (one action per record,
//!   `after_value` keyed by field id)
//!
//! # Dataset
//!
//! One Base ([`BitableKnobs::app_token`]) with two tables: "All types"
//! ([`BitableKnobs::table_id`], 120 records by default) holding one field of every
//! documented type (28 fields: text, email, barcode, number, progress, currency, rating,
//! single/multi select, date, checkbox, person, phone, url, attachment, one- and two-way link,
//! lookup, formula, location, group chat, flow (`Stage`), created/modified time and user, auto
//! number,
//! button), and "Customers" ([`BitableKnobs::customers_table_id`], 10 records), the
//! link target. More tables with any record count: [`BitableKnobs::add_table`]. Records
//! are generated on the fly from the seed and the record index, so 100,000 records cost no
//! memory; only a page is built per request (filters and sorts scan the table).
//!
//! # Shape drift
//!
//! Search always answers in the structured shape. List records answers in the structured
//! shape with `text_field_as_array=true` (the fields are then exactly search's), and without
//! it in the historic shape its documentation shows ([`RecordShape`];
//! [`BitableKnobs::set_unflagged_list_shape`] switches that default). The documentation
//! only promises that the flag turns text into segments; the testkit answers every field
//! structured with it.
//!
//! | Field type | historic (list without the flag) | structured (search, list with the flag) |
//! |---|---|---|
//! | text, email, barcode | plain string | segment array |
//! | number, progress, currency, rating | decimal string (`"1280.5"`) | JSON number |
//! | links | `[{record_ids, table_id, text, text_arr, type}]` | `{link_record_ids}` |
//! | lookup, formula | segment array of the rendered text | `{type, value: [...]}` |
//! | created / modified by | one person object | array of person objects |
//!
//! Empty cells are omitted (an unchecked checkbox, no tags, no attachment). Search items also
//! carry `record_url`.
//!
//! # Errors
//!
//! Unknown app token → 1254040 (a wiki node token used as app token → 1254003), table id not
//! starting with `tbl` → 1254004, unknown table → 1254041, view id not starting with `vew` →
//! 1254005, unknown view → 1254042, unknown field name (in `field_names` or `sort`) → 1254045,
//! all with HTTP 200 as the Bitable error tables document. Bad `page_size` / `page_token` →
//! 1254011 (HTTP 400). Bad `sort` → 1254016, bad `filter` → 1254018, bad `field_names` →
//! 1254024 (HTTP 200). A Base denied with [`BitableKnobs::deny_app`] → 1254302
//! (HTTP 403). Wiki: missing token → 131002, unknown node → 131005 (HTTP 400).
//!
//! # Writes
//!
//! Written records are stored on top of the generated ones (a generated record that is
//! updated or deleted is replaced in the listing; created records follow the generated ones),
//! so writes to a 100,000-record table cost only what they change, and tables made through
//! the API or [`BitableKnobs::add_empty_table`] hold only stored records. Every record write
//! is checked the way the record pages document it, and a call applies all its records or
//! none:
//!
//! - body not JSON → 1254000; `fields` / `records` missing or of the wrong shape → 1254001;
//!   more than 1,000 records (500 for batch delete) → 1254104;
//! - a field name the table does not have → 1254045; a value of the wrong shape → the
//!   type's conversion code (text 1254060, number 1254061, single select 1254062, multi
//!   select 1254063, date 1254064, checkbox 1254065, person 1254066, link 1254067, URL
//!   1254068, attachment 1254069, phone 1254072, two-way link not an array 1254074 (HTTP
//!   400)); location, group chat and read-only fields (lookup, formula, flow, button, created
//!   / modified time and user, auto number) → 1254015 (HTTP 400; which code Feishu uses for a
//!   read-only field is not documented); text over 100,000 characters → 1254130; an
//!   attachment not registered with [`BitableKnobs::upload_attachment`] → 1254303; a person
//!   id that is not a user of the request's `user_id_type` → 1254066;
//! - a record id not starting with `rec` → 1254006; an unknown one → 1254043 (the whole
//!   batch);
//! - values are the write shapes of the create-record page: text, phone and option names as
//!   strings (an unknown option name adds the option), numbers, dates as Unix ms, `true` /
//!   `false`, persons `[{"id"}]`, URLs `{"text", "link"}`, attachments `[{"file_token"}]`,
//!   links as record id arrays, locations as `"lng,lat"`, group chats `[{"id": "oc_…"}]`;
//!   `null` clears a cell; reads render them in the list or search shape like generated
//!   cells.
//!
//! **One writer per table.** A write keeps its table busy for the write duration (5 ms by
//! default, [`BitableKnobs::set_write_duration`]) and its reply is sent when that is over;
//! another write to the same table arriving meanwhile is refused with 1254291 "Write
//! conflict" (nothing applied), as Feishu refuses concurrent writes to one table. Writes to
//! different tables do not conflict.
//!
//! **`client_token`** (create, batch create, field create; also honoured on updates): it must
//! be a UUIDv4 (else 1254037, HTTP 400). A token seen before for the same operation and table
//! answers the first call's reply again, without applying anything (Feishu documents the
//! dedup but not what a replay returns; the testkit's answer is the natural one); with a
//! different body → 1255006; while the first call is still being processed → 1254608 (HTTP
//! 403). Counted in [`BitableKnobs::write_stats`].
//!
//! Table and field writes check names (empty → 1254028, duplicated → 1254013 / 1254014),
//! creatable types (not lookup, flow or button → 1254012; the first field of a new table must
//! be text, number, date, phone, URL, formula or location → 1254012), link targets (1254089 /
//! 1254092), option names (1254026), the primary field (cannot be deleted → 1254046) and the
//! last table (cannot be deleted → 1254034, HTTP 403).
//!
//! [`BitableKnobs::set_lost_reply_share`] holds back a share of replies after the request was
//! processed, so a client with a shorter timeout sees a failure for a write that was applied.
//!
//! The testkit's list `filter` understands `CurrentValue.[Field] op literal` with `=`, `!=`,
//! `>`, `>=`, `<`, `<=`, string / number / `TRUE` / `FALSE` literals, combined with `AND(...)`,
//! `OR(...)` and `NOT(...)`. Search filters support every documented operator except relative
//! date tokens (`Today`, ...), which answer 1254018.

mod batch_get;
mod cells;
mod data;
mod drive;
mod fields;
mod filter;
mod formula;
mod gate;
mod handlers;
mod knobs;
mod people;
mod query;
mod record;
mod records;
mod shape;
mod store;
mod structure;
mod writes;

use std::sync::Mutex;

use crate::event_hub::EventHub;
use crate::lock::lock;
use crate::reply::Reply;
use crate::request::RequestView;
use crate::service::{FakeService, only};

use self::data::BitableData;
pub use self::data::WriteStats;
pub use self::knobs::BitableKnobs;
pub use self::shape::RecordShape;
use self::structure::FieldOp;
use self::writes::RecordOp;

const APP: &str = "/open-apis/bitable/v1/apps/:app_token";
const TABLES: &str = "/open-apis/bitable/v1/apps/:app_token/tables";
const TABLE: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id";
const VIEWS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/views";
const FIELDS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields";
const FIELD: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields/:field_id";
const RECORDS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records";
const RECORD: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:record_id";
const SEARCH: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search";
const BATCH: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/:batch_op";
const GET_NODE: &str = "/open-apis/wiki/v2/spaces/get_node";
const SUBSCRIBE: &str = "/open-apis/drive/v1/files/:file_token/subscribe";

/// The Bitable v1 (and wiki node, and Drive file subscription) service: its Bases behind their
/// own lock.
#[derive(Debug, Default)]
pub(crate) struct BitableService {
    data: Mutex<BitableData>,
    /// Where record writes to a subscribed Base are announced.
    events: EventHub,
}

impl BitableService {
    /// The default Bases; record writes to a subscribed one are announced to `events`.
    pub(crate) fn new(events: EventHub) -> Self {
        BitableService {
            data: Mutex::default(),
            events,
        }
    }

    /// The knobs and ground truth of this service.
    pub(crate) fn knobs(&self) -> BitableKnobs<'_> {
        BitableKnobs::new(&self.data)
    }

    /// Holds back a share of replies after the request was processed (a reply lost on the
    /// way back), when a test asked for it.
    fn maybe_lost(&self, reply: Reply) -> Reply {
        let mut data = lock(&self.data);
        let (share, delay) = data.lost_replies;
        if share > 0.0 && data.rng.f64() < share {
            return reply.delayed(delay);
        }
        reply
    }
}

/// Answers by method: each `(method, handler)` pair, else 99991301.
fn by_method(req: &RequestView, handlers: Vec<(&str, &dyn Fn() -> Reply)>) -> Reply {
    match handlers.into_iter().find(|(m, _)| *m == req.method) {
        Some((_, f)) => f(),
        None => Reply::method_not_allowed(req),
    }
}

impl FakeService for BitableService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        let data = &self.data;
        if req.match_path(GET_NODE).is_some() {
            return Some(only(req, "GET", || handlers::get_node(data, req)));
        }
        if let Some(p) = req.match_path(SUBSCRIBE) {
            let file = p[0].to_string();
            return Some(only(req, "POST", || drive::subscribe(data, req, &file)));
        }
        if !req.path.starts_with("/open-apis/bitable/v1/apps/") {
            return None;
        }
        self.route(req).map(|reply| self.maybe_lost(reply))
    }
}

impl BitableService {
    fn route(&self, req: &RequestView) -> Option<Reply> {
        let data = &self.data;
        if let Some(p) = req.match_path(SEARCH) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(only(req, "POST", || {
                query::records(data, req, &app, &table, true)
            }));
        }
        if let Some(p) = req.match_path(BATCH) {
            if p[2] == "batch_get" {
                let (app, table) = (p[0].to_string(), p[1].to_string());
                return Some(only(req, "POST", || {
                    batch_get::batch_get(data, req, &app, &table)
                }));
            }
            let op = match p[2] {
                "batch_create" => Some(RecordOp::BatchCreate),
                "batch_update" => Some(RecordOp::BatchUpdate),
                "batch_delete" => Some(RecordOp::BatchDelete),
                _ => None,
            };
            if let Some(op) = op {
                let (app, table) = (p[0].to_string(), p[1].to_string());
                return Some(only(req, "POST", || {
                    writes::write(data, &self.events, req, &app, &table, None, op)
                }));
            }
        }
        if let Some(p) = req.match_path(RECORD) {
            let (app, table, record) = (p[0].to_string(), p[1].to_string(), p[2].to_string());
            let write =
                |op| writes::write(data, &self.events, req, &app, &table, Some(&record), op);
            return Some(by_method(
                req,
                vec![
                    ("PUT", &|| write(RecordOp::Update)),
                    ("DELETE", &|| write(RecordOp::Delete)),
                ],
            ));
        }
        if let Some(p) = req.match_path(RECORDS) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(by_method(
                req,
                vec![
                    ("GET", &|| query::records(data, req, &app, &table, false)),
                    ("POST", &|| {
                        writes::write(
                            data,
                            &self.events,
                            req,
                            &app,
                            &table,
                            None,
                            RecordOp::Create,
                        )
                    }),
                ],
            ));
        }
        if let Some(p) = req.match_path(FIELD) {
            let (app, table, field) = (p[0].to_string(), p[1].to_string(), p[2].to_string());
            let write = |op| structure::write_field(data, req, &app, &table, Some(&field), op);
            return Some(by_method(
                req,
                vec![
                    ("PUT", &|| write(FieldOp::Update)),
                    ("DELETE", &|| write(FieldOp::Delete)),
                ],
            ));
        }
        if let Some(p) = req.match_path(FIELDS) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(by_method(
                req,
                vec![
                    ("GET", &|| handlers::list_fields(data, req, &app, &table)),
                    ("POST", &|| {
                        structure::write_field(data, req, &app, &table, None, FieldOp::Create)
                    }),
                ],
            ));
        }
        if let Some(p) = req.match_path(VIEWS) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(only(req, "GET", || {
                handlers::list_views(data, req, &app, &table)
            }));
        }
        if let Some(p) = req.match_path(TABLE) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(only(req, "DELETE", || {
                structure::delete_table(data, req, &app, &table)
            }));
        }
        if let Some(p) = req.match_path(TABLES) {
            let app = p[0].to_string();
            return Some(by_method(
                req,
                vec![
                    ("GET", &|| handlers::list_tables(data, req, &app)),
                    ("POST", &|| structure::create_table(data, req, &app)),
                ],
            ));
        }
        if let Some(p) = req.match_path(APP) {
            let app = p[0].to_string();
            return Some(only(req, "GET", || handlers::get_app(data, &app)));
        }
        None
    }
}
