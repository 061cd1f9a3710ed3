//! Records: generated cell by cell from the seed, then rendered in the list or the search
//! shape.

use serde_json::{Map, Value, json};

use super::data::{BitableData, TableDef};
use super::fields::Kind;
use super::fields::{Name, REGIONS, STATUS, TAGS};
use super::people::{IdType, USERS, person};
pub(super) use super::record::{Cell, Generated};
use super::shape::RecordShape;
use crate::rng::mix;

/// 2025-01-01T00:00:00Z in Unix ms.
pub(super) const EPOCH_MS: i64 = 1_735_689_600_000;
const DAY_MS: i64 = 86_400_000;

/// Text of a number as the list endpoint renders it.
fn number_text(n: f64) -> String {
    format!("{n}")
}

fn customer_name(i: u64) -> String {
    format!("Customer {i:03}")
}

/// Record `index` of `table`.
pub(super) fn generate(data: &BitableData, table: &TableDef, index: u64) -> Generated {
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
        Kind::Custom => {}
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
    let cells = match &table.fields {
        None => cells
            .into_iter()
            .map(|(n, c)| (Name::Static(n), c))
            .collect(),
        // The API changed the fields: a renamed field shows its generated cells under its new
        // name, a deleted one shows nothing.
        Some(own) => cells
            .into_iter()
            .filter_map(|(n, c)| {
                let field = own.iter().find(|f| f.origin == Some(n))?;
                Some((field.name.clone(), c))
            })
            .collect(),
    };
    Generated {
        record_id,
        cells,
        created_ms,
        modified_ms,
        creator,
        modifier,
    }
}

fn render(cell: &Cell, shape: RecordShape, ids: IdType) -> Value {
    use RecordShape::{Historic, Structured};
    match (cell, shape) {
        (Cell::Text(segments), Historic) => json!(
            segments
                .iter()
                .map(|s| s["text"].as_str().unwrap_or_default())
                .collect::<String>()
        ),
        (Cell::Text(segments), Structured) => json!(segments),
        (Cell::PlainText(text), Historic) => json!(text),
        (Cell::PlainText(text), Structured) => json!([{ "type": "text", "text": text }]),
        (Cell::Number(n), Historic) => json!(number_text(*n)),
        (Cell::Number(n), Structured) => json!(n),
        (Cell::Plain(v), _) => v.clone(),
        (
            Cell::Link {
                table_id,
                ids: rec,
                names,
            },
            Historic,
        ) => json!([{
            "record_ids": rec, "table_id": table_id, "text": names.join(","),
            "text_arr": names, "type": "text",
        }]),
        (Cell::Link { ids: rec, .. }, Structured) => json!({ "link_record_ids": rec }),
        (Cell::Computed { text, .. }, Historic) => json!([{ "type": "text", "text": text }]),
        (
            Cell::Computed {
                data_type, value, ..
            },
            Structured,
        ) => json!({ "type": data_type, "value": value }),
        (Cell::Person(n), Historic) => person(*n, ids),
        (Cell::Person(n), Structured) => json!([person(*n, ids)]),
        (Cell::Persons(all), _) => json!(all.iter().map(|n| person(*n, ids)).collect::<Vec<_>>()),
    }
}

/// How to render records.
pub(super) struct RenderOptions<'a> {
    pub(super) shape: RecordShape,
    /// Whether records carry `record_url` (search does, list does not).
    pub(super) record_url: bool,
    pub(super) ids: IdType,
    pub(super) field_names: Option<&'a [String]>,
    pub(super) automatic: bool,
}

/// A record as the endpoint sends it.
pub(super) fn render_record(
    app: &str,
    table: &TableDef,
    g: &Generated,
    o: &RenderOptions<'_>,
) -> Value {
    let mut fields = Map::new();
    for (name, cell) in &g.cells {
        if o.field_names
            .is_some_and(|names| !names.iter().any(|n| *n == **name))
        {
            continue;
        }
        fields.insert(name.to_string(), render(cell, o.shape, o.ids));
    }
    let mut record = json!({ "record_id": g.record_id, "fields": fields });
    if o.automatic {
        record["created_time"] = json!(g.created_ms);
        record["last_modified_time"] = json!(g.modified_ms);
        record["created_by"] = person(g.creator, o.ids);
        record["last_modified_by"] = person(g.modifier, o.ids);
    }
    if o.record_url {
        record["record_url"] = json!(format!(
            "https://testkit.feishu.cn/base/{app}?table={}&record={}",
            table.table_id, g.record_id
        ));
    }
    record
}
