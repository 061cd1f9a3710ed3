//! `bitable_records`: a full refresh that checkpoints page tokens, so a large table resumes
//! mid-way instead of starting over.

use feishu_bitable::Bitable;
use feishu_core::ListRequest;
use futures::StreamExt;
use serde_json::{Map, Value, json};

use super::{Emitter, Flow, failed};
use crate::catalog::BITABLE_RECORDS;
use crate::state::BitableState;
use crate::{Source, SourceConfig};

/// Largest page the records endpoint serves.
const PAGE_SIZE: u32 = 500;

pub(crate) async fn read(source: &Source, config: &SourceConfig, em: &mut Emitter) -> Flow {
    let Some(cfg) = &config.bitable else {
        return Ok(());
    };
    let resume = em
        .state
        .bitable
        .as_ref()
        .filter(|s| s.app_token == cfg.app_token && s.table_id == cfg.table_id)
        .and_then(|s| s.page_token.clone());
    em.state.bitable = Some(BitableState {
        app_token: cfg.app_token.clone(),
        table_id: cfg.table_id.clone(),
        page_token: resume.clone(),
    });
    let mut request = Bitable::new(source.client.clone())
        .list_records(&cfg.app_token, &cfg.table_id)
        .text_field_as_array(false)
        .automatic_fields(true)
        .page_size(PAGE_SIZE.min(u32::try_from(em.checkpoint_every).unwrap_or(PAGE_SIZE)));
    if let Some(view) = &cfg.view_id {
        request = request.view_id(view);
    }
    if let Some(token) = resume {
        request = request.page_token(token);
    }
    let mut pages = Box::pin(request.by_page());
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed(BITABLE_RECORDS, e))?;
        let next = page.next_token().map(str::to_string);
        for record in page.items {
            // Built by moving the record's parts: `json!` would deep-copy `fields`.
            let mut data = Map::with_capacity(8);
            data.insert("app_token".into(), Value::String(cfg.app_token.clone()));
            data.insert("table_id".into(), Value::String(cfg.table_id.clone()));
            data.insert(
                "record_id".into(),
                Value::String(record.record_id.into_string()),
            );
            data.insert("fields".into(), Value::Object(record.fields));
            data.insert("created_time".into(), json!(record.created_time));
            data.insert(
                "last_modified_time".into(),
                json!(record.last_modified_time),
            );
            data.insert("created_by".into(), json!(record.created_by));
            data.insert("last_modified_by".into(), json!(record.last_modified_by));
            em.record(BITABLE_RECORDS, Value::Object(data)).await?;
        }
        if let Some(state) = em.state.bitable.as_mut() {
            state.page_token = next;
        }
        em.checkpoint().await?;
    }
    Ok(())
}
