//! `bitable_records`: a full refresh through search records (the endpoint Feishu recommends;
//! the historic list endpoint flattens text and numbers to strings unless asked not to) that
//! checkpoints page tokens, so a large table resumes mid-way instead of starting over.

use feishu_bitable::{Bitable, Record, SearchRecords};
use feishu_core::{Error, ListRequest};
use futures::StreamExt;

use super::{Emitter, Flow, failed};
use crate::catalog::BITABLE_RECORDS;
use crate::config::BitableConfig;
use crate::records::BitableRecord;
use crate::state::BitableState;
use crate::{Source, SourceConfig};

/// Codes Bitable may answer a page token it does not accept with: 1254002 "Fail" (search
/// records' error table names "an invalid page_token" among its causes) and 1254011 (HTTP 400,
/// its error for a bad page parameter); see the error table of
/// <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/bitable-v1/app-table-record/search>.
/// Which one a foreign token gets is not documented, so both count. A state saved by a
/// version that read the historic list endpoint holds that endpoint's token, which search may
/// refuse.
const REFUSED_PAGE_TOKEN: [i64; 2] = [1254002, 1254011];

pub(crate) async fn read(source: &Source, config: &SourceConfig, em: &mut Emitter) -> Flow {
    let Some(cfg) = &config.bitable else {
        return Ok(());
    };
    let mut resume = em
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
    let mut pages = search(source, cfg, em.checkpoint_every, resume.clone()).by_page();
    while let Some(page) = pages.next().await {
        let page = match page {
            Err(e) if resume.is_some() && refuses_token(&e) => {
                // Only the resumed first page can get here: `resume` is cleared below.
                tracing::warn!(error = %e, "bitable: the stored page token was refused; reading the table from its first page");
                resume = None;
                pages = search(source, cfg, em.checkpoint_every, None).by_page();
                continue;
            }
            page => page.map_err(|e| failed(BITABLE_RECORDS, e))?,
        };
        resume = None;
        let next = page.next_token().map(str::to_string);
        for record in page.items {
            em.emit(record_data(cfg, record)).await?;
        }
        if let Some(state) = em.state.bitable.as_mut() {
            state.page_token = next;
        }
        em.checkpoint().await?;
    }
    Ok(())
}

/// The search of the table, `automatic_fields` on, through the config's view (in the body),
/// in pages no larger than a checkpoint, from `page_token`.
fn search(
    source: &Source,
    cfg: &BitableConfig,
    checkpoint_every: usize,
    page_token: Option<String>,
) -> SearchRecords {
    let mut request = Bitable::new(source.client.clone())
        .search_records(&cfg.app_token, &cfg.table_id)
        .automatic_fields(true)
        .page_size(
            u32::try_from(checkpoint_every)
                .unwrap_or(u32::MAX)
                .min(SearchRecords::MAX_PAGE_SIZE),
        );
    if let Some(view) = &cfg.view_id {
        request = request.view_id(view);
    }
    if let Some(token) = page_token {
        request = request.page_token(token);
    }
    request
}

fn refuses_token(e: &Error) -> bool {
    e.api_code()
        .is_some_and(|code| REFUSED_PAGE_TOKEN.contains(&code))
}

/// A record of the stream, `fields` exactly as received.
fn record_data(cfg: &BitableConfig, record: Record) -> BitableRecord {
    BitableRecord {
        app_token: cfg.app_token.clone(),
        table_id: cfg.table_id.clone(),
        record_id: record.record_id.into_string(),
        fields: record.fields,
        created_time: record.created_time,
        last_modified_time: record.last_modified_time,
        created_by: record.created_by,
        last_modified_by: record.last_modified_by,
    }
}
