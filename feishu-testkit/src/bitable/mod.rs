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
//! - `GET /open-apis/wiki/v2/spaces/get_node?token=&obj_type=` (wiki nodes)
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
//! The testkit's list `filter` understands `CurrentValue.[Field] op literal` with `=`, `!=`,
//! `>`, `>=`, `<`, `<=`, string / number / `TRUE` / `FALSE` literals, combined with `AND(...)`,
//! `OR(...)` and `NOT(...)`. Search filters support every documented operator except relative
//! date tokens (`Today`, ...), which answer 1254018.

mod data;
mod fields;
mod filter;
mod formula;
mod handlers;
mod knobs;
mod people;
mod query;
mod records;
mod shape;

use std::sync::Mutex;

use crate::reply::Reply;
use crate::request::RequestView;
use crate::service::{FakeService, only};

use self::data::BitableData;
pub use self::knobs::BitableKnobs;
pub use self::shape::RecordShape;

const APP: &str = "/open-apis/bitable/v1/apps/:app_token";
const TABLES: &str = "/open-apis/bitable/v1/apps/:app_token/tables";
const VIEWS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/views";
const FIELDS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields";
const RECORDS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records";
const SEARCH: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search";
const GET_NODE: &str = "/open-apis/wiki/v2/spaces/get_node";

/// The Bitable v1 (and wiki node) service: its Bases behind their own lock.
#[derive(Debug, Default)]
pub(crate) struct BitableService {
    data: Mutex<BitableData>,
}

impl BitableService {
    /// The knobs and ground truth of this service.
    pub(crate) fn knobs(&self) -> BitableKnobs<'_> {
        BitableKnobs::new(&self.data)
    }
}

impl FakeService for BitableService {
    fn handle(&self, req: &RequestView) -> Option<Reply> {
        let data = &self.data;
        if req.match_path(GET_NODE).is_some() {
            return Some(only(req, "GET", || handlers::get_node(data, req)));
        }
        if !req.path.starts_with("/open-apis/bitable/v1/apps/") {
            return None;
        }
        if let Some(p) = req.match_path(SEARCH) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(only(req, "POST", || {
                query::records(data, req, &app, &table, true)
            }));
        }
        if let Some(p) = req.match_path(RECORDS) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(only(req, "GET", || {
                query::records(data, req, &app, &table, false)
            }));
        }
        if let Some(p) = req.match_path(FIELDS) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(only(req, "GET", || {
                handlers::list_fields(data, req, &app, &table)
            }));
        }
        if let Some(p) = req.match_path(VIEWS) {
            let (app, table) = (p[0].to_string(), p[1].to_string());
            return Some(only(req, "GET", || {
                handlers::list_views(data, req, &app, &table)
            }));
        }
        if let Some(p) = req.match_path(TABLES) {
            let app = p[0].to_string();
            return Some(only(req, "GET", || handlers::list_tables(data, req, &app)));
        }
        if let Some(p) = req.match_path(APP) {
            let app = p[0].to_string();
            return Some(only(req, "GET", || handlers::get_app(data, &app)));
        }
        None
    }
}
