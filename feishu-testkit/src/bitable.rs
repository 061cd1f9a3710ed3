//! Bitable (Base) v1 of the fake tenant, plus the wiki node lookup that resolves a wiki node
//! to a Base (feishu-api.md §6):
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
//! One Base ([`FakeTenant::bitable_app_token`]) with two tables: "All types"
//! ([`FakeTenant::bitable_table_id`], 120 records by default) holding one field of every
//! documented type (28 fields: text, email, barcode, number, progress, currency, rating,
//! single/multi select, date, checkbox, person, phone, url, attachment, one- and two-way link,
//! lookup, formula, location, group chat, flow, created/modified time and user, auto number,
//! button), and "Customers" ([`FakeTenant::bitable_customers_table_id`], 10 records), the
//! link target. More tables with any record count: [`FakeTenant::bitable_add_table`]. Records
//! are generated on the fly from the seed and the record index, so 100,000 records cost no
//! memory; only a page is built per request (filters and sorts scan the table).
//!
//! # Shape drift (as documented)
//!
//! | Field type | list (`GET .../records`) | search (`POST .../records/search`) |
//! |---|---|---|
//! | text, email, barcode | plain string (segments with `text_field_as_array=true`) | segment array |
//! | number family | decimal string (`"1280.5"`) | JSON number |
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
//! 1254024 (HTTP 200). A Base denied with [`FakeTenant::bitable_deny_app`] → 1254302
//! (HTTP 403). Wiki: missing token → 131002, unknown node → 131005 (HTTP 400).
//!
//! The testkit's list `filter` understands `CurrentValue.[Field] op literal` with `=`, `!=`,
//! `>`, `>=`, `<`, `<=`, string / number / `TRUE` / `FALSE` literals, combined with `AND(...)`,
//! `OR(...)` and `NOT(...)`. Search filters support every documented operator except relative
//! date tokens (`Today`, ...), which answer 1254018.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::diag::{decode_page_token, encode_page_token};
use crate::reply::Reply;
use crate::router::{RequestView, only};
use crate::state::{State, lock};
use crate::tenant::FakeTenant;

const APP: &str = "/open-apis/bitable/v1/apps/:app_token";
const TABLES: &str = "/open-apis/bitable/v1/apps/:app_token/tables";
const VIEWS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/views";
const FIELDS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/fields";
const RECORDS: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records";
const SEARCH: &str = "/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records/search";
const GET_NODE: &str = "/open-apis/wiki/v2/spaces/get_node";

const WRONG_BASE_TOKEN: i64 = 1254003;
const WRONG_TABLE_ID: i64 = 1254004;
const WRONG_VIEW_ID: i64 = 1254005;
const PAGE_SIZE_INVALID: i64 = 1254011;
const INVALID_SORT: i64 = 1254016;
const INVALID_FILTER: i64 = 1254018;
const INVALID_FIELD_NAMES: i64 = 1254024;
const BASE_NOT_FOUND: i64 = 1254040;
const TABLE_NOT_FOUND: i64 = 1254041;
const VIEW_NOT_FOUND: i64 = 1254042;
const FIELD_NAME_NOT_FOUND: i64 = 1254045;
const PERMISSION_DENIED: i64 = 1254302;
const WIKI_PARAM_ERR: i64 = 131002;
const WIKI_NOT_FOUND: i64 = 131005;

const DEFAULT_APP_TOKEN: &str = "bascnTestkitBase0000000001";
const DEFAULT_WIKI_NODE: &str = "wikcnTestkitNodeBase000001";
const DEFAULT_WIKI_DOC_NODE: &str = "wikcnTestkitNodeDocx000001";
const DEFAULT_RECORDS: u64 = 120;
const CUSTOMER_RECORDS: u64 = 10;
const BITABLE_SEED: u64 = 0xB17A_B1E5_EED0_0001;
/// 2025-01-01T00:00:00Z in Unix ms.
const EPOCH_MS: i64 = 1_735_689_600_000;
const DAY_MS: i64 = 86_400_000;

// ----- dataset ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    AllTypes,
    Customers,
}

#[derive(Debug, Clone)]
struct ViewDef {
    view_id: String,
    name: &'static str,
    view_type: &'static str,
    public_level: &'static str,
    /// Shows only records whose "Done" checkbox is ticked.
    only_done: bool,
}

#[derive(Debug, Clone)]
struct TableDef {
    no: u64,
    table_id: String,
    name: String,
    kind: Kind,
    records: u64,
    views: Vec<ViewDef>,
}

#[derive(Debug, Clone)]
struct AppDef {
    token: String,
    name: String,
    tables: Vec<TableDef>,
}

#[derive(Debug, Clone)]
struct WikiNodeDef {
    node_token: String,
    obj_token: String,
    obj_type: String,
    title: String,
}

/// The Bitable dataset of one fake tenant.
#[derive(Debug)]
pub(crate) struct BitableData {
    seed: u64,
    apps: Vec<AppDef>,
    wiki: Vec<WikiNodeDef>,
    denied: HashSet<String>,
    next_table_no: u64,
}

impl Default for BitableData {
    fn default() -> Self {
        let mut data = BitableData {
            seed: BITABLE_SEED,
            apps: Vec::new(),
            wiki: Vec::new(),
            denied: HashSet::new(),
            next_table_no: 1,
        };
        let all = data.new_table("All types", Kind::AllTypes, DEFAULT_RECORDS);
        let customers = data.new_table("Customers", Kind::Customers, CUSTOMER_RECORDS);
        data.apps.push(AppDef {
            token: DEFAULT_APP_TOKEN.into(),
            name: "Testkit Sales".into(),
            tables: vec![all, customers],
        });
        data.wiki.push(WikiNodeDef {
            node_token: DEFAULT_WIKI_NODE.into(),
            obj_token: DEFAULT_APP_TOKEN.into(),
            obj_type: "bitable".into(),
            title: "Testkit Sales".into(),
        });
        data.wiki.push(WikiNodeDef {
            node_token: DEFAULT_WIKI_DOC_NODE.into(),
            obj_token: "doxcnTestkitDocument000001".into(),
            obj_type: "docx".into(),
            title: "Meeting notes".into(),
        });
        data
    }
}

impl BitableData {
    fn new_table(&mut self, name: &str, kind: Kind, records: u64) -> TableDef {
        let no = self.next_table_no;
        self.next_table_no += 1;
        let views = match kind {
            Kind::AllTypes => vec![
                view(no, 1, "All records", "grid", "Public", false),
                view(no, 2, "Done", "kanban", "Public", true),
                view(no, 3, "Mine", "gallery", "Private", false),
            ],
            Kind::Customers => vec![view(no, 1, "All customers", "grid", "Public", false)],
        };
        TableDef {
            no,
            table_id: format!("tbl{:013x}", mix(self.seed ^ no) & 0xFFFF_FFFF_FFFF),
            name: name.to_string(),
            kind,
            records,
            views,
        }
    }

    fn app(&self, token: &str) -> Option<&AppDef> {
        self.apps.iter().find(|a| a.token == token)
    }

    fn table(&self, app: &str, table: &str) -> Option<&TableDef> {
        self.app(app)?.tables.iter().find(|t| t.table_id == table)
    }

    fn customers_table(&self) -> Option<&TableDef> {
        self.app(DEFAULT_APP_TOKEN)?
            .tables
            .iter()
            .find(|t| t.kind == Kind::Customers)
    }

    fn record_id(&self, table_no: u64, index: u64) -> String {
        format!("rec{:016x}", mix((table_no << 40 | index) ^ self.seed))
    }
}

fn view(
    table_no: u64,
    n: u64,
    name: &'static str,
    kind: &'static str,
    level: &'static str,
    only_done: bool,
) -> ViewDef {
    ViewDef {
        view_id: format!("vew{:010x}", mix(table_no << 8 | n) & 0xFF_FFFF_FFFF),
        name,
        view_type: kind,
        public_level: level,
        only_done,
    }
}

/// A bijective 64-bit mixer (splitmix64's finaliser): distinct inputs give distinct ids.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ----- fields ----------------------------------------------------------------------------

struct FieldDef {
    name: &'static str,
    field_type: i64,
    ui_type: &'static str,
    property: Value,
}

const STATUS: [&str; 3] = ["Open", "In progress", "Done"];
const TAGS: [&str; 4] = ["vip", "rush", "new", "bulk"];
const REGIONS: [&str; 3] = ["North", "South", "West"];

fn options(names: &[&str]) -> Value {
    let options: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| json!({ "name": name, "id": format!("opt{i:03}"), "color": i }))
        .collect();
    json!({ "options": options })
}

fn fields(kind: Kind, customers: &str) -> Vec<FieldDef> {
    let f = |name, field_type, ui_type, property| FieldDef {
        name,
        field_type,
        ui_type,
        property,
    };
    match kind {
        Kind::Customers => vec![
            f("Name", 1, "Text", Value::Null),
            f("Region", 3, "SingleSelect", options(&REGIONS)),
            f("Revenue", 2, "Number", json!({ "formatter": "0.00" })),
        ],
        Kind::AllTypes => vec![
            f("Name", 1, "Text", Value::Null),
            f("Email", 1, "Email", Value::Null),
            f("Barcode", 1, "Barcode", Value::Null),
            f("Amount", 2, "Number", json!({ "formatter": "0.00" })),
            f(
                "Progress",
                2,
                "Progress",
                json!({ "formatter": "0%", "min": 0, "max": 1 }),
            ),
            f(
                "Price",
                2,
                "Currency",
                json!({ "formatter": "0.00", "currency_code": "CNY" }),
            ),
            f(
                "Rating",
                2,
                "Rating",
                json!({ "formatter": "0", "min": 1, "max": 5, "rating": { "symbol": "star" } }),
            ),
            f("Status", 3, "SingleSelect", options(&STATUS)),
            f("Tags", 4, "MultiSelect", options(&TAGS)),
            f(
                "Due",
                5,
                "DateTime",
                json!({ "date_formatter": "yyyy/MM/dd", "auto_fill": false }),
            ),
            f("Done", 7, "Checkbox", Value::Null),
            f("Owner", 11, "User", json!({ "multiple": true })),
            f("Phone", 13, "Phone", Value::Null),
            f("Site", 15, "Url", Value::Null),
            f("Files", 17, "Attachment", Value::Null),
            f(
                "Customer",
                18,
                "SingleLink",
                json!({ "table_id": customers, "table_name": "Customers", "multiple": false }),
            ),
            f(
                "Partners",
                21,
                "DuplexLink",
                json!({ "table_id": customers, "table_name": "Customers", "back_field_name": "Partner of", "multiple": true }),
            ),
            f(
                "Customer Name",
                19,
                "Lookup",
                json!({ "filter_info": { "target_table": customers } }),
            ),
            f(
                "Margin",
                20,
                "Formula",
                json!({ "formula_expression": "bitable::$table[tbl].$field[Amount]*0.1", "type": { "data_type": 2, "ui_type": "Number", "ui_property": { "formatter": "0.00" } } }),
            ),
            f(
                "Where",
                22,
                "Location",
                json!({ "location": { "input_type": "not_limit" } }),
            ),
            f("Chat", 23, "GroupChat", json!({ "multiple": false })),
            f("Flow", 24, "Flow", Value::Null),
            f(
                "Created",
                1001,
                "CreatedTime",
                json!({ "date_formatter": "yyyy/MM/dd HH:mm" }),
            ),
            f(
                "Modified",
                1002,
                "ModifiedTime",
                json!({ "date_formatter": "yyyy/MM/dd HH:mm" }),
            ),
            f("Creator", 1003, "CreatedUser", Value::Null),
            f("Modifier", 1004, "ModifiedUser", Value::Null),
            f(
                "No.",
                1005,
                "AutoNumber",
                json!({ "auto_serial": { "type": "auto_increment_number" } }),
            ),
            f(
                "Action",
                3001,
                "Button",
                json!({ "button": { "title": "Approve" } }),
            ),
        ],
    }
}

fn field_id(table_no: u64, i: usize) -> String {
    format!(
        "fld{:010x}",
        mix(table_no << 16 | i as u64) & 0xFF_FFFF_FFFF
    )
}

fn field_json(table_no: u64, i: usize, def: &FieldDef, text_as_array: bool) -> Value {
    let description = format!("{} column", def.name);
    let description = if text_as_array {
        json!([{ "type": "text", "text": description }])
    } else {
        json!(description)
    };
    json!({
        "field_id": field_id(table_no, i),
        "field_name": def.name,
        "type": def.field_type,
        "ui_type": def.ui_type,
        "is_primary": i == 0,
        "is_hidden": false,
        "description": description,
        "property": def.property,
    })
}

// ----- users -----------------------------------------------------------------------------

const USERS: [(&str, &str); 6] = [
    ("Li Lei", "Lei Li"),
    ("Han Meimei", "Meimei Han"),
    ("Zhang Wei", "Wei Zhang"),
    ("Wang Fang", "Fang Wang"),
    ("Liu Yang", "Yang Liu"),
    ("Chen Jing", "Jing Chen"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdType {
    Open,
    Union,
    User,
}

fn user_id(n: usize, id_type: IdType) -> String {
    let h = mix(0x05E2 ^ n as u64);
    match id_type {
        IdType::Open => format!("ou_{h:016x}{:016x}", mix(h)),
        IdType::Union => format!("on_{h:016x}{:016x}", mix(h ^ 1)),
        IdType::User => format!("{:08x}", h & 0xFFFF_FFFF),
    }
}

fn person(n: usize, id_type: IdType) -> Value {
    let (name, en_name) = USERS[n % USERS.len()];
    json!({
        "id": user_id(n % USERS.len(), id_type),
        "name": name,
        "en_name": en_name,
        "email": format!("{}@testkit.example", en_name.to_lowercase().replace(' ', ".")),
    })
}

// ----- records ---------------------------------------------------------------------------

/// One generated cell, before it is rendered in the list or the search shape.
#[derive(Debug, Clone)]
enum Cell {
    /// Text segments (list: concatenated string).
    Text(Vec<Value>),
    /// A number (list: decimal string).
    Number(f64),
    /// The same JSON in both shapes.
    Plain(Value),
    /// Linked records of `table_id`.
    Link {
        table_id: String,
        ids: Vec<String>,
        names: Vec<String>,
    },
    /// Lookup / formula: `{type, value}` in search, the rendered text as segments in list.
    Computed {
        data_type: i64,
        value: Value,
        text: String,
    },
    /// Created / modified by: one person (list) or a one-element array (search).
    Person(usize),
    /// Persons of a person field.
    Persons(Vec<usize>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    List { text_as_array: bool },
    Search,
}

struct Generated {
    record_id: String,
    cells: Vec<(&'static str, Cell)>,
    created_ms: i64,
    modified_ms: i64,
    creator: usize,
    modifier: usize,
}

/// Text of a number as the list endpoint renders it.
fn number_text(n: f64) -> String {
    format!("{n}")
}

fn customer_name(i: u64) -> String {
    format!("Customer {i:03}")
}

fn generate(data: &BitableData, table: &TableDef, index: u64) -> Generated {
    let mut rng = fastrand::Rng::with_seed(mix(data.seed ^ (table.no << 40) ^ index));
    let record_id = data.record_id(table.no, index);
    let created_ms = EPOCH_MS + i64::try_from(index).unwrap_or(0) * 60_000;
    let modified_ms = created_ms + i64::from(rng.u32(0..30 * 24 * 3600)) * 1000;
    let creator = rng.usize(0..USERS.len());
    let modifier = rng.usize(0..USERS.len());
    let mut cells: Vec<(&'static str, Cell)> = Vec::new();
    match table.kind {
        Kind::Customers => {
            cells.push((
                "Name",
                Cell::Text(vec![
                    json!({ "type": "text", "text": customer_name(index) }),
                ]),
            ));
            cells.push((
                "Region",
                Cell::Plain(json!(REGIONS[rng.usize(0..REGIONS.len())])),
            ));
            cells.push((
                "Revenue",
                Cell::Number(f64::from(rng.u32(0..100_000_000)) / 100.0),
            ));
        }
        Kind::AllTypes => {
            let name = format!("Item {index:06}");
            let mut segments = vec![json!({ "type": "text", "text": name })];
            if index.is_multiple_of(5) {
                let owner = person(creator, IdType::Open);
                segments.push(json!({ "type": "text", "text": " for " }));
                segments.push(json!({
                    "type": "mention", "mentionType": "User", "token": owner["id"],
                    "name": owner["name"], "text": format!("@{}", owner["name"].as_str().unwrap_or_default()),
                    "mentionNotify": false,
                }));
            }
            cells.push(("Name", Cell::Text(segments)));
            let email = format!("user{index}@example.com");
            cells.push((
                "Email",
                Cell::Text(vec![
                    json!({ "type": "url", "text": email, "link": format!("mailto:{email}") }),
                ]),
            ));
            cells.push((
                "Barcode",
                Cell::Text(vec![
                    json!({ "type": "text", "text": format!("FS{index:06}") }),
                ]),
            ));
            cells.push((
                "Amount",
                Cell::Number(f64::from(rng.u32(0..10_000_000)) / 100.0),
            ));
            cells.push((
                "Progress",
                Cell::Number(f64::from(rng.u32(0..=100)) / 100.0),
            ));
            cells.push((
                "Price",
                Cell::Number(f64::from(rng.u32(0..1_000_000)) / 100.0),
            ));
            cells.push(("Rating", Cell::Number(f64::from(rng.u32(1..=5)))));
            cells.push((
                "Status",
                Cell::Plain(json!(STATUS[rng.usize(0..STATUS.len())])),
            ));
            let tags: Vec<&str> = TAGS.iter().copied().filter(|_| rng.u8(0..3) == 0).collect();
            if !tags.is_empty() {
                cells.push(("Tags", Cell::Plain(json!(tags))));
            }
            cells.push((
                "Due",
                Cell::Plain(json!(EPOCH_MS + i64::from(rng.u32(0..365)) * DAY_MS)),
            ));
            if rng.bool() {
                cells.push(("Done", Cell::Plain(json!(true))));
            }
            let owners: Vec<usize> = (0..rng.usize(1..=2))
                .map(|k| (creator + k) % USERS.len())
                .collect();
            cells.push(("Owner", Cell::Persons(owners)));
            cells.push(("Phone", Cell::Plain(json!(format!("+86-138{index:08}")))));
            cells.push(("Site", Cell::Plain(json!({ "text": format!("site {index}"), "link": format!("https://example.com/items/{index}") }))));
            if index.is_multiple_of(3) {
                let token = format!("boxcn{:016x}", mix(index ^ 0xF11E));
                cells.push(("Files", Cell::Plain(json!([{
                    "file_token": token, "name": format!("po-{index}.pdf"), "type": "application/pdf",
                    "size": 1024 + index % 4096,
                    "url": format!("https://open.feishu.cn/open-apis/drive/v1/medias/{token}/download"),
                    "tmp_url": format!("https://open.feishu.cn/open-apis/drive/v1/medias/batch_get_tmp_download_url?file_tokens={token}"),
                }]))));
            }
            if let Some(customers) = data.customers_table().filter(|c| c.records > 0) {
                let first = rng.u64(0..customers.records);
                let link = |idx: &[u64]| Cell::Link {
                    table_id: customers.table_id.clone(),
                    ids: idx
                        .iter()
                        .map(|i| data.record_id(customers.no, *i))
                        .collect(),
                    names: idx.iter().map(|i| customer_name(*i)).collect(),
                };
                cells.push(("Customer", link(&[first])));
                let partners: Vec<u64> = (0..rng.u64(0..=2))
                    .map(|k| (first + 1 + k) % customers.records)
                    .collect();
                if !partners.is_empty() {
                    cells.push(("Partners", link(&partners)));
                }
                let name = customer_name(first);
                cells.push((
                    "Customer Name",
                    Cell::Computed {
                        data_type: 1,
                        value: json!([{ "type": "text", "text": name }]),
                        text: name,
                    },
                ));
            }
            let margin = f64::from(rng.u32(0..100_000)) / 100.0;
            cells.push((
                "Margin",
                Cell::Computed {
                    data_type: 2,
                    value: json!([margin]),
                    text: number_text(margin),
                },
            ));
            let lng = 116.0 + f64::from(rng.u32(0..1000)) / 1000.0;
            let lat = 39.0 + f64::from(rng.u32(0..1000)) / 1000.0;
            cells.push(("Where", Cell::Plain(json!({
                "location": format!("{lng:.3},{lat:.3}"), "pname": "Beijing", "cityname": "Beijing",
                "adname": "Haidian", "address": format!("No. {index} Zhongguancun St"),
                "name": format!("Office {index}"), "full_address": format!("Beijing Haidian No. {index} Zhongguancun St"),
            }))));
            cells.push(("Chat", Cell::Plain(json!([{ "id": format!("oc_{:016x}{:016x}", mix(index ^ 0xC4A7), mix(index ^ 0xC4A8)), "name": format!("Project {}", index % 7), "avatar_url": "https://example.com/chat.png" }]))));
            let flow_status = ["running", "done"][rng.usize(0..2)];
            cells.push((
                "Flow",
                Cell::Plain(json!({ "flow_status": flow_status, "node": "Review" })),
            ));
            cells.push(("Created", Cell::Plain(json!(created_ms))));
            cells.push(("Modified", Cell::Plain(json!(modified_ms))));
            cells.push(("Creator", Cell::Person(creator)));
            cells.push(("Modifier", Cell::Person(modifier)));
            cells.push(("No.", Cell::Plain(json!((index + 1).to_string()))));
        }
    }
    Generated {
        record_id,
        cells,
        created_ms,
        modified_ms,
        creator,
        modifier,
    }
}

fn render(cell: &Cell, shape: Shape, ids: IdType) -> Value {
    match (cell, shape) {
        (
            Cell::Text(segments),
            Shape::List {
                text_as_array: false,
            },
        ) => json!(
            segments
                .iter()
                .map(|s| s["text"].as_str().unwrap_or_default())
                .collect::<String>()
        ),
        (Cell::Text(segments), _) => json!(segments),
        (Cell::Number(n), Shape::List { .. }) => json!(number_text(*n)),
        (Cell::Number(n), Shape::Search) => json!(n),
        (Cell::Plain(v), _) => v.clone(),
        (
            Cell::Link {
                table_id,
                ids: rec,
                names,
            },
            Shape::List { .. },
        ) => json!([{
            "record_ids": rec, "table_id": table_id, "text": names.join(","),
            "text_arr": names, "type": "text",
        }]),
        (Cell::Link { ids: rec, .. }, Shape::Search) => json!({ "link_record_ids": rec }),
        (Cell::Computed { text, .. }, Shape::List { .. }) => {
            json!([{ "type": "text", "text": text }])
        }
        (
            Cell::Computed {
                data_type, value, ..
            },
            Shape::Search,
        ) => json!({ "type": data_type, "value": value }),
        (Cell::Person(n), Shape::List { .. }) => person(*n, ids),
        (Cell::Person(n), Shape::Search) => json!([person(*n, ids)]),
        (Cell::Persons(all), _) => json!(all.iter().map(|n| person(*n, ids)).collect::<Vec<_>>()),
    }
}

struct RenderOptions<'a> {
    shape: Shape,
    ids: IdType,
    field_names: Option<&'a [String]>,
    automatic: bool,
}

fn render_record(
    data: &BitableData,
    app: &str,
    table: &TableDef,
    g: &Generated,
    o: &RenderOptions<'_>,
) -> Value {
    let mut fields = Map::new();
    for (name, cell) in &g.cells {
        if o.field_names
            .is_some_and(|names| !names.iter().any(|n| n == name))
        {
            continue;
        }
        fields.insert((*name).to_string(), render(cell, o.shape, o.ids));
    }
    let mut record = json!({ "record_id": g.record_id, "fields": fields });
    if o.automatic {
        record["created_time"] = json!(g.created_ms);
        record["last_modified_time"] = json!(g.modified_ms);
        record["created_by"] = person(g.creator, o.ids);
        record["last_modified_by"] = person(g.modifier, o.ids);
    }
    if o.shape == Shape::Search {
        record["record_url"] = json!(format!(
            "https://testkit.feishu.cn/base/{app}?table={}&record={}",
            table.table_id, g.record_id
        ));
    }
    let _ = data;
    record
}

// ----- filter / sort ---------------------------------------------------------------------

/// A cell reduced to something comparable.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
    List(Vec<String>),
}

fn scalar(cell: &Cell) -> Option<Scalar> {
    Some(match cell {
        Cell::Text(segments) => Scalar::Str(
            segments
                .iter()
                .map(|s| s["text"].as_str().unwrap_or_default())
                .collect(),
        ),
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

fn cell_of<'a>(g: &'a Generated, name: &str) -> Option<&'a Cell> {
    g.cells.iter().find(|(n, _)| *n == name).map(|(_, c)| c)
}

fn compare(a: Option<&Scalar>, b: Option<&Scalar>) -> Ordering {
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
enum Pred {
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

fn eval(pred: &Pred, g: &Generated) -> bool {
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

/// Parses a search body `filter`.
fn search_filter(filter: &Value, names: &[&str]) -> Result<Option<Pred>, String> {
    if filter.is_null() {
        return Ok(None);
    }
    fn group(v: &Value, names: &[&str], depth: u8) -> Result<Pred, String> {
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
            if !names.contains(&field) {
                return Err(format!("field {field:?} not found"));
            }
            if matches!(field, "Margin" | "Customer Name") {
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
    group(filter, names, 0).map(Some)
}

/// Parses a list `filter` formula (the subset described in the module docs).
fn formula_filter(text: &str, names: &[&str]) -> Result<Pred, String> {
    struct P<'a> {
        s: &'a [u8],
        i: usize,
        names: &'a [&'a str],
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
                self.i += 1;
            }
        }
        fn eat(&mut self, t: &str) -> bool {
            self.ws();
            if self.s[self.i..].starts_with(t.as_bytes()) {
                self.i += t.len();
                true
            } else {
                false
            }
        }
        fn expr(&mut self) -> Result<Pred, String> {
            for (f, kind) in [("AND(", 0), ("OR(", 1), ("NOT(", 2)] {
                if self.eat(f) {
                    let mut args = vec![self.expr()?];
                    while self.eat(",") {
                        args.push(self.expr()?);
                    }
                    if !self.eat(")") {
                        return Err("missing ')'".into());
                    }
                    return Ok(match kind {
                        0 => Pred::All(args),
                        1 => Pred::Any(args),
                        _ if args.len() == 1 => Pred::Not(Box::new(args.remove(0))),
                        _ => return Err("NOT takes one argument".into()),
                    });
                }
            }
            if !self.eat("CurrentValue.[") {
                return Err(format!("unexpected input at {}", self.i));
            }
            let start = self.i;
            while self.s.get(self.i).is_some_and(|c| *c != b']') {
                self.i += 1;
            }
            let field = std::str::from_utf8(&self.s[start..self.i])
                .map_err(|e| e.to_string())?
                .to_string();
            if !self.eat("]") {
                return Err("missing ']'".into());
            }
            if !self.names.contains(&field.as_str()) {
                return Err(format!("field {field:?} not found"));
            }
            let op = ["!=", ">=", "<=", "=", ">", "<"]
                .into_iter()
                .find(|op| self.eat(op))
                .ok_or("missing comparison operator")?;
            self.ws();
            let literal = if self.eat("\"") {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| *c != b'"') {
                    self.i += 1;
                }
                let lit = std::str::from_utf8(&self.s[start..self.i])
                    .map_err(|e| e.to_string())?
                    .to_string();
                if !self.eat("\"") {
                    return Err("unterminated string".into());
                }
                lit
            } else if self.eat("TRUE()") || self.eat("TRUE") {
                "true".into()
            } else if self.eat("FALSE()") || self.eat("FALSE") {
                "false".into()
            } else {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'.' || *c == b'-')
                {
                    self.i += 1;
                }
                let lit = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                lit.parse::<f64>()
                    .map_err(|_| format!("bad literal at {start}"))?;
                lit.to_string()
            };
            let cond = |op: &str| Pred::Op {
                field: field.clone(),
                op: op.into(),
                values: vec![literal.clone()],
            };
            Ok(match op {
                "=" => cond("is"),
                "!=" => cond("isNot"),
                ">" => cond("isGreater"),
                ">=" => cond("isGreaterEqual"),
                "<" => cond("isLess"),
                _ => cond("isLessEqual"),
            })
        }
    }
    if text.chars().count() > 2000 {
        return Err("filter longer than 2000 characters".into());
    }
    let mut p = P {
        s: text.as_bytes(),
        i: 0,
        names,
    };
    let pred = p.expr()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing input at {}", p.i));
    }
    Ok(pred)
}

// ----- request handling ------------------------------------------------------------------

/// Routes the Bitable and wiki endpoints.
pub(crate) fn handle(state: &State, req: &RequestView) -> Option<Reply> {
    if req.match_path(GET_NODE).is_some() {
        return Some(only(req, "GET", || get_node(state, req)));
    }
    if !req.path.starts_with("/open-apis/bitable/v1/apps/") {
        return None;
    }
    if let Some(p) = req.match_path(SEARCH) {
        let (app, table) = (p[0].to_string(), p[1].to_string());
        return Some(only(req, "POST", || {
            records(state, req, &app, &table, true)
        }));
    }
    if let Some(p) = req.match_path(RECORDS) {
        let (app, table) = (p[0].to_string(), p[1].to_string());
        return Some(only(req, "GET", || {
            records(state, req, &app, &table, false)
        }));
    }
    if let Some(p) = req.match_path(FIELDS) {
        let (app, table) = (p[0].to_string(), p[1].to_string());
        return Some(only(req, "GET", || list_fields(state, req, &app, &table)));
    }
    if let Some(p) = req.match_path(VIEWS) {
        let (app, table) = (p[0].to_string(), p[1].to_string());
        return Some(only(req, "GET", || list_views(state, req, &app, &table)));
    }
    if let Some(p) = req.match_path(TABLES) {
        let app = p[0].to_string();
        return Some(only(req, "GET", || list_tables(state, req, &app)));
    }
    if let Some(p) = req.match_path(APP) {
        let app = p[0].to_string();
        return Some(only(req, "GET", || get_app(state, &app)));
    }
    None
}

fn fail(code: i64, msg: &str) -> Reply {
    let status = match code {
        PAGE_SIZE_INVALID => 400,
        PERMISSION_DENIED => 403,
        _ => 200,
    };
    Reply::err(status, code, msg)
}

fn check_app<'a>(data: &'a BitableData, app: &str) -> Result<&'a AppDef, Reply> {
    if let Some(found) = data.app(app) {
        if data.denied.contains(app) {
            return Err(Reply::err_with(
                403,
                PERMISSION_DENIED,
                "Permission denied",
                json!({ "message": "the app has no permission on this Base: add the app as a collaborator (… → Add document app) or grant it manage access in the advanced permission settings" }),
            ));
        }
        return Ok(found);
    }
    if data.wiki.iter().any(|n| n.node_token == app) {
        return Err(fail(
            WRONG_BASE_TOKEN,
            "WrongBaseToken: this is a wiki node token, resolve it with wiki/v2/spaces/get_node",
        ));
    }
    Err(fail(BASE_NOT_FOUND, "BaseTokenNotFound"))
}

fn check_table<'a>(data: &'a BitableData, app: &str, table: &str) -> Result<&'a TableDef, Reply> {
    let found = check_app(data, app)?;
    if !table.starts_with("tbl") {
        return Err(fail(WRONG_TABLE_ID, "WrongTableId"));
    }
    found
        .tables
        .iter()
        .find(|t| t.table_id == table)
        .ok_or_else(|| fail(TABLE_NOT_FOUND, "TableIdNotFound"))
}

fn check_view<'a>(
    table: &'a TableDef,
    view_id: Option<&str>,
) -> Result<Option<&'a ViewDef>, Reply> {
    let Some(view_id) = view_id.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if !view_id.starts_with("vew") {
        return Err(fail(WRONG_VIEW_ID, "WrongViewId"));
    }
    table
        .views
        .iter()
        .find(|v| v.view_id == view_id)
        .map(Some)
        .ok_or_else(|| fail(VIEW_NOT_FOUND, "ViewIdNotFound"))
}

fn page_size(req: &RequestView, default: u64, max: u64) -> Result<u64, Reply> {
    match req.query_first("page_size").filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(Reply::err_with(
                400,
                PAGE_SIZE_INVALID,
                format!("PageSizeInvalid: page_size must be between 1 and {max}"),
                json!({ "field_violations": [{ "field": "page_size", "value": v, "description": format!("must be between 1 and {max}") }] }),
            )),
        },
    }
}

fn page_offset(req: &RequestView, len: u64) -> Result<u64, Reply> {
    match req.query_first("page_token").filter(|t| !t.is_empty()) {
        None => Ok(0),
        Some(token) => decode_page_token(token)
            .filter(|offset| *offset <= len)
            .ok_or_else(|| Reply::err(400, PAGE_SIZE_INVALID, "PageTokenInvalid")),
    }
}

fn id_type(req: &RequestView) -> Result<IdType, Reply> {
    match req.query_first("user_id_type").unwrap_or("open_id") {
        "open_id" | "" => Ok(IdType::Open),
        "union_id" => Ok(IdType::Union),
        "user_id" => Ok(IdType::User),
        other => Err(Reply::param_error(
            "user_id_type",
            other,
            "must be open_id, union_id or user_id",
        )),
    }
}

fn bool_query(req: &RequestView, name: &str) -> bool {
    req.query_first(name) == Some("true")
}

/// Pages `len` items produced by `item(i)` for `i` in the page's range.
fn paged(
    req: &RequestView,
    len: u64,
    default: u64,
    max: u64,
    item: impl Fn(u64) -> Value,
) -> Reply {
    let size = match page_size(req, default, max) {
        Ok(size) => size,
        Err(reply) => return reply,
    };
    let offset = match page_offset(req, len) {
        Ok(offset) => offset,
        Err(reply) => return reply,
    };
    let end = offset.saturating_add(size).min(len);
    let items: Vec<Value> = (offset..end).map(item).collect();
    let mut data = json!({ "items": items, "has_more": end < len, "total": len });
    if end < len {
        data["page_token"] = json!(encode_page_token(end));
    }
    Reply::ok(data)
}

fn get_app(state: &State, app: &str) -> Reply {
    let data = lock(&state.bitable);
    match check_app(&data, app) {
        Err(reply) => reply,
        Ok(found) => Reply::ok(json!({ "app": {
            "app_token": found.token, "name": found.name, "revision": 7 + found.tables.len(),
            "is_advanced": false, "time_zone": "Asia/Shanghai", "formula_type": 2, "advance_version": "v2",
        }})),
    }
}

fn list_tables(state: &State, req: &RequestView, app: &str) -> Reply {
    let data = lock(&state.bitable);
    let found = match check_app(&data, app) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let tables = &found.tables;
    paged(req, tables.len() as u64, 20, 100, |i| {
        let t = &tables[i as usize];
        json!({ "table_id": t.table_id, "name": t.name, "revision": 3 + t.no })
    })
}

fn list_views(state: &State, req: &RequestView, app: &str, table: &str) -> Reply {
    let data = lock(&state.bitable);
    let table = match check_table(&data, app, table) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let ids = match id_type(req) {
        Ok(ids) => ids,
        Err(reply) => return reply,
    };
    paged(req, table.views.len() as u64, 20, 100, |i| {
        let v = &table.views[i as usize];
        let mut view = json!({ "view_id": v.view_id, "view_name": v.name, "view_type": v.view_type, "view_public_level": v.public_level });
        if v.public_level == "Private" {
            view["view_private_owner_id"] = json!(user_id(0, ids));
        }
        view
    })
}

fn list_fields(state: &State, req: &RequestView, app: &str, table: &str) -> Reply {
    let data = lock(&state.bitable);
    let table = match check_table(&data, app, table) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    if let Err(reply) = check_view(table, req.query_first("view_id")) {
        return reply;
    }
    let customers = data
        .customers_table()
        .map(|c| c.table_id.clone())
        .unwrap_or_default();
    let defs = fields(table.kind, &customers);
    let as_array = bool_query(req, "text_field_as_array");
    paged(req, defs.len() as u64, 20, 100, |i| {
        field_json(table.no, i as usize, &defs[i as usize], as_array)
    })
}

/// Record options parsed from the query (list) or body (search).
struct Query {
    view: Option<String>,
    field_names: Option<Vec<String>>,
    filter: Option<Pred>,
    sort: Vec<(String, bool)>,
    automatic: bool,
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|i| i.as_str().map(str::to_string))
        .collect()
}

fn list_query(req: &RequestView, names: &[&str]) -> Result<Query, Reply> {
    let field_names = match req.query_first("field_names").filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => Some(
            serde_json::from_str::<Value>(text)
                .ok()
                .as_ref()
                .and_then(string_list)
                .ok_or_else(|| {
                    fail(
                        INVALID_FIELD_NAMES,
                        "InvalidFieldNames: field_names must be a JSON array of strings",
                    )
                })?,
        ),
    };
    let sort = match req.query_first("sort").filter(|v| !v.is_empty()) {
        None => Vec::new(),
        Some(text) => {
            let items = serde_json::from_str::<Value>(text)
                .ok()
                .as_ref()
                .and_then(string_list)
                .ok_or_else(|| {
                    fail(
                        INVALID_SORT,
                        "InvalidSort: sort must be a JSON array of \"Field ASC|DESC\"",
                    )
                })?;
            let mut sort = Vec::new();
            for item in items {
                let (name, desc) = match item.rsplit_once(' ') {
                    Some((name, "DESC")) => (name.to_string(), true),
                    Some((name, "ASC")) => (name.to_string(), false),
                    _ => (item.clone(), false),
                };
                sort.push((name, desc));
            }
            sort
        }
    };
    let filter = match req.query_first("filter").filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => Some(
            formula_filter(text, names)
                .map_err(|e| fail(INVALID_FILTER, &format!("InvalidFilter: {e}")))?,
        ),
    };
    Ok(Query {
        view: req.query_first("view_id").map(str::to_string),
        field_names,
        filter,
        sort,
        automatic: bool_query(req, "automatic_fields"),
    })
}

fn search_query(req: &RequestView, names: &[&str]) -> Result<Query, Reply> {
    let body = match (&req.json, req.body.is_empty()) {
        (Some(body), _) => body.clone(),
        (None, true) => json!({}),
        (None, false) => return Err(fail(1254000, "WrongRequestJson: the body is not JSON")),
    };
    let field_names = match body.get("field_names").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => Some(string_list(v).filter(|l| l.len() <= 200).ok_or_else(|| {
            fail(
                INVALID_FIELD_NAMES,
                "InvalidFieldNames: field_names must be ≤ 200 strings",
            )
        })?),
    };
    let mut sort = Vec::new();
    if let Some(v) = body.get("sort").filter(|v| !v.is_null()) {
        let items = v
            .as_array()
            .filter(|a| a.len() <= 100)
            .ok_or_else(|| fail(INVALID_SORT, "InvalidSort: sort must be ≤ 100 objects"))?;
        for item in items {
            let name = item
                .get("field_name")
                .and_then(Value::as_str)
                .ok_or_else(|| fail(INVALID_SORT, "InvalidSort: sort item without field_name"))?;
            sort.push((
                name.to_string(),
                item.get("desc").and_then(Value::as_bool).unwrap_or(false),
            ));
        }
    }
    let filter = search_filter(body.get("filter").unwrap_or(&Value::Null), names)
        .map_err(|e| fail(INVALID_FILTER, &format!("InvalidFilter: {e}")))?;
    Ok(Query {
        view: body
            .get("view_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        field_names,
        filter,
        sort,
        automatic: body
            .get("automatic_fields")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

fn records(state: &State, req: &RequestView, app: &str, table_id: &str, search: bool) -> Reply {
    let data = lock(&state.bitable);
    let table = match check_table(&data, app, table_id) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let customers = data
        .customers_table()
        .map(|c| c.table_id.clone())
        .unwrap_or_default();
    let defs = fields(table.kind, &customers);
    let names: Vec<&str> = defs.iter().map(|d| d.name).collect();
    let query = if search {
        search_query(req, &names)
    } else {
        list_query(req, &names)
    };
    let query = match query {
        Ok(q) => q,
        Err(reply) => return reply,
    };
    let ids = match id_type(req) {
        Ok(ids) => ids,
        Err(reply) => return reply,
    };
    if let Some(bad) = query
        .field_names
        .iter()
        .flatten()
        .find(|n| !names.contains(&n.as_str()))
    {
        return fail(FIELD_NAME_NOT_FOUND, &format!("FieldNameNotFound: {bad}"));
    }
    if let Some((bad, _)) = query
        .sort
        .iter()
        .find(|(n, _)| !names.contains(&n.as_str()))
    {
        return fail(FIELD_NAME_NOT_FOUND, &format!("FieldNameNotFound: {bad}"));
    }
    let view = match check_view(table, query.view.as_deref()) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    // Feishu ignores the view when a filter or sort is given.
    let view_filter = view
        .filter(|v| v.only_done && query.filter.is_none() && query.sort.is_empty())
        .map(|_| Pred::Op {
            field: "Done".into(),
            op: "is".into(),
            values: vec!["true".into()],
        });
    let predicate = query.filter.clone().or(view_filter);
    let options = RenderOptions {
        shape: if search {
            Shape::Search
        } else {
            Shape::List {
                text_as_array: bool_query(req, "text_field_as_array"),
            }
        },
        ids,
        field_names: query.field_names.as_deref(),
        automatic: query.automatic,
    };
    if predicate.is_none() && query.sort.is_empty() {
        // The common case: page straight over record indices, building only this page.
        return paged(req, table.records, 20, 500, |i| {
            render_record(&data, app, table, &generate(&data, table, i), &options)
        });
    }
    let mut matching: Vec<(u64, Vec<Option<Scalar>>)> = Vec::new();
    for i in 0..table.records {
        let g = generate(&data, table, i);
        if predicate.as_ref().is_none_or(|p| eval(p, &g)) {
            let keys = query
                .sort
                .iter()
                .map(|(n, _)| cell_of(&g, n).and_then(scalar))
                .collect();
            matching.push((i, keys));
        }
    }
    matching.sort_by(|(ia, ka), (ib, kb)| {
        for (k, (_, desc)) in query.sort.iter().enumerate() {
            let o = compare(ka[k].as_ref(), kb[k].as_ref());
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        ia.cmp(ib)
    });
    paged(req, matching.len() as u64, 20, 500, |k| {
        let i = matching[k as usize].0;
        render_record(&data, app, table, &generate(&data, table, i), &options)
    })
}

fn get_node(state: &State, req: &RequestView) -> Reply {
    let Some(token) = req.query_first("token").filter(|t| !t.is_empty()) else {
        return Reply::err(400, WIKI_PARAM_ERR, "param err: token is required");
    };
    let obj_type = req.query_first("obj_type").unwrap_or("wiki");
    let data = lock(&state.bitable);
    let node = data.wiki.iter().find(|n| {
        if obj_type == "wiki" {
            n.node_token == token
        } else {
            n.obj_token == token && n.obj_type == obj_type
        }
    });
    let Some(node) = node else {
        return Reply::err(400, WIKI_NOT_FOUND, "not found: node not found");
    };
    Reply::ok(json!({ "node": {
        "space_id": "7000000000000000001",
        "node_token": node.node_token,
        "obj_token": node.obj_token,
        "obj_type": node.obj_type,
        "parent_node_token": "",
        "node_type": "origin",
        "origin_node_token": node.node_token,
        "origin_space_id": "7000000000000000001",
        "has_child": false,
        "title": node.title,
        "obj_create_time": "1735689600",
        "obj_edit_time": "1735776000",
        "node_create_time": "1735689600",
        "creator": user_id(0, IdType::Open),
        "owner": user_id(0, IdType::Open),
        "node_creator": user_id(0, IdType::Open),
    }}))
}

// ----- knobs and ground truth ------------------------------------------------------------

impl FakeTenant {
    /// The default Base's app token.
    pub fn bitable_app_token(&self) -> String {
        DEFAULT_APP_TOKEN.to_string()
    }

    /// The table id of the default Base's "All types" table (one field of every type).
    pub fn bitable_table_id(&self) -> String {
        let data = lock(&self.state().bitable);
        data.apps[0]
            .tables
            .iter()
            .find(|t| t.kind == Kind::AllTypes)
            .map(|t| t.table_id.clone())
            .unwrap_or_default()
    }

    /// The table id of the default Base's "Customers" table (the link target).
    pub fn bitable_customers_table_id(&self) -> String {
        let data = lock(&self.state().bitable);
        data.customers_table()
            .map(|t| t.table_id.clone())
            .unwrap_or_default()
    }

    /// Table ids of a Base, in listing order (empty for an unknown token).
    pub fn bitable_table_ids(&self, app_token: &str) -> Vec<String> {
        let data = lock(&self.state().bitable);
        data.app(app_token)
            .map(|a| a.tables.iter().map(|t| t.table_id.clone()).collect())
            .unwrap_or_default()
    }

    /// View ids of a table, in listing order. The "All types" table has three: all records
    /// (grid), "Done" (kanban: only records whose `Done` box is ticked) and a private gallery.
    pub fn bitable_view_ids(&self, app_token: &str, table_id: &str) -> Vec<String> {
        let data = lock(&self.state().bitable);
        data.table(app_token, table_id)
            .map(|t| t.views.iter().map(|v| v.view_id.clone()).collect())
            .unwrap_or_default()
    }

    /// Field names of a table, in listing order (28 for an "All types" table).
    pub fn bitable_field_names(&self, app_token: &str, table_id: &str) -> Vec<String> {
        let data = lock(&self.state().bitable);
        let customers = data
            .customers_table()
            .map(|c| c.table_id.clone())
            .unwrap_or_default();
        data.table(app_token, table_id)
            .map(|t| {
                fields(t.kind, &customers)
                    .iter()
                    .map(|f| f.name.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Adds an "All types" table with `records` records to the default Base and returns its
    /// id. Records are generated on demand, so 100,000 or more cost no memory.
    pub fn bitable_add_table(&self, name: &str, records: u64) -> String {
        let mut data = lock(&self.state().bitable);
        let table = data.new_table(name, Kind::AllTypes, records);
        let id = table.table_id.clone();
        data.apps[0].tables.push(table);
        id
    }

    /// Changes a table's record count (records keep their ids and values: record `i` depends
    /// only on the seed, the table and `i`). Returns false for an unknown table.
    pub fn bitable_set_record_count(&self, app_token: &str, table_id: &str, records: u64) -> bool {
        let mut data = lock(&self.state().bitable);
        let table = data
            .apps
            .iter_mut()
            .filter(|a| a.token == app_token)
            .flat_map(|a| a.tables.iter_mut())
            .find(|t| t.table_id == table_id);
        match table {
            Some(t) => {
                t.records = records;
                true
            }
            None => false,
        }
    }

    /// Number of records of a table (`None` for an unknown app or table).
    pub fn bitable_record_count(&self, app_token: &str, table_id: &str) -> Option<u64> {
        lock(&self.state().bitable)
            .table(app_token, table_id)
            .map(|t| t.records)
    }

    /// Ids of every record of a table, in the unfiltered listing order.
    pub fn bitable_record_ids(&self, app_token: &str, table_id: &str) -> Vec<String> {
        let data = lock(&self.state().bitable);
        data.table(app_token, table_id)
            .map(|t| (0..t.records).map(|i| data.record_id(t.no, i)).collect())
            .unwrap_or_default()
    }

    /// Record `index` of a table as the endpoint would send it (`search` = search shape, else
    /// the list shape), with automatic fields and `open_id`s.
    pub fn bitable_record_json(
        &self,
        app_token: &str,
        table_id: &str,
        index: u64,
        search: bool,
    ) -> Option<Value> {
        let data = lock(&self.state().bitable);
        let table = data
            .table(app_token, table_id)
            .filter(|t| index < t.records)?;
        let options = RenderOptions {
            shape: if search {
                Shape::Search
            } else {
                Shape::List {
                    text_as_array: false,
                }
            },
            ids: IdType::Open,
            field_names: None,
            automatic: true,
        };
        Some(render_record(
            &data,
            app_token,
            table,
            &generate(&data, table, index),
            &options,
        ))
    }

    /// From now on every request on this Base answers 1254302 (HTTP 403), as when the app was
    /// not added to the Base or advanced permissions lock it out.
    pub fn bitable_deny_app(&self, app_token: &str) {
        lock(&self.state().bitable)
            .denied
            .insert(app_token.to_string());
    }

    /// Undoes [`bitable_deny_app`](Self::bitable_deny_app).
    pub fn bitable_allow_app(&self, app_token: &str) {
        lock(&self.state().bitable).denied.remove(app_token);
    }

    /// The wiki node token whose node is the default Base (resolves to
    /// [`bitable_app_token`](Self::bitable_app_token)). Another node,
    /// [`bitable_wiki_docx_node_token`](Self::bitable_wiki_docx_node_token), is a document.
    pub fn bitable_wiki_node_token(&self) -> String {
        DEFAULT_WIKI_NODE.to_string()
    }

    /// A wiki node token whose node is a `docx` document, not a Base.
    pub fn bitable_wiki_docx_node_token(&self) -> String {
        DEFAULT_WIKI_DOC_NODE.to_string()
    }

    /// Adds a wiki node (`obj_type` e.g. `bitable`, `docx`, `sheet`).
    pub fn bitable_add_wiki_node(&self, node_token: &str, obj_type: &str, obj_token: &str) {
        lock(&self.state().bitable).wiki.push(WikiNodeDef {
            node_token: node_token.to_string(),
            obj_token: obj_token.to_string(),
            obj_type: obj_type.to_string(),
            title: format!("{obj_type} {obj_token}"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_are_unique_and_stable() {
        let data = BitableData::default();
        let mut seen = HashSet::new();
        for i in 0..10_000 {
            assert!(seen.insert(data.record_id(1, i)));
        }
        assert_eq!(data.record_id(1, 7), BitableData::default().record_id(1, 7));
    }

    #[test]
    fn formula_filter_parses_the_subset() {
        let names = ["Amount", "Status", "Done"];
        let p = formula_filter(
            r#"AND(CurrentValue.[Amount]>100, OR(CurrentValue.[Status]="Open", NOT(CurrentValue.[Done]=TRUE)))"#,
            &names,
        );
        assert!(p.is_ok(), "{p:?}");
        assert!(formula_filter("CurrentValue.[Nope]=1", &names).is_err());
        assert!(formula_filter("AND(CurrentValue.[Amount]>1", &names).is_err());
    }
}
