//! `GET /staff/privacy?show=open|handled`: the requests, open ones the earliest due
//! first with the overdue marked, or the latest handled.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::{PATH, PrivacyUser};
use crate::db::privacy::{self as requests, RequestRow};
use crate::db::tickets::user_names;
use crate::domain::calendar::{format_date, format_datetime, local_date};
use crate::i18n::Tr;
use crate::web::kit::error::AppResult;
use crate::web::kit::{RequestLang, SharedState, StaffChrome, page};

/// One request in the list.
pub struct Row {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub received: String,
    pub due: String,
    pub overdue: bool,
    pub assignee: String,
    pub handled: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/privacy_list.html")]
struct ListPage {
    chrome: StaffChrome,
    open: bool,
    rows: Vec<Row>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    show: Option<String>,
}

/// Whether a request still open on `today` is past its due date.
pub fn overdue(r: &RequestRow, today: NaiveDate) -> bool {
    r.handled_at.is_none() && r.due_on < today
}

fn name_of(names: &[(i32, String)], id: Option<i32>) -> String {
    id.and_then(|id| names.iter().find(|(uid, _)| *uid == id))
        .map(|(_, n)| n.clone())
        .unwrap_or_default()
}

fn row(t: Tr, names: &[(i32, String)], r: RequestRow, today: NaiveDate) -> Row {
    Row {
        overdue: overdue(&r, today),
        kind: t.t(&format!("privacy-kind-{}", r.kind)),
        received: format_datetime(r.created_at),
        due: format_date(r.due_on),
        assignee: name_of(names, r.assigned_to),
        handled: r.handled_at.map(format_datetime).unwrap_or_default(),
        id: r.id,
        name: r.name,
    }
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    PrivacyUser(me): PrivacyUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let open = q.show.as_deref() != Some("handled");
    let (found, names) = {
        let mut conn = state.pool.get().await?;
        let found = requests::list(&mut conn, open).await?;
        let mut ids: Vec<i32> = found.iter().filter_map(|r| r.assigned_to).collect();
        ids.sort_unstable();
        ids.dedup();
        let names = user_names(&mut conn, &ids).await?;
        (found, names)
    };
    let chrome = StaffChrome::new(&state, &lang, &me, PATH);
    let t = chrome.t;
    let today = local_date(Utc::now());
    let body = ListPage {
        open,
        rows: found
            .into_iter()
            .map(|r| row(t, &names, r, today))
            .collect(),
        chrome,
    };
    Ok(page(&lang, body))
}
