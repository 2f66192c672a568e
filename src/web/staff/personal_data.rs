//! `GET /staff/personal-data`: the personal-data log (Luật 91/2025/QH15): who was shown
//! whose personal data, when and why (a PAKN page, a search listing senders, an export,
//! a data-subject request's page, a mail, this log), newest first, filtered by staff member, PAKN, purpose and dates,
//! 100 entries a page. Admins and inspectors read it; reading it is itself logged (as
//! `log`, for every PAKN whose sender the page names).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;

use crate::auth::StaffUser;
use crate::db::personal_data_log::{self, LogFilter, LogRow};
use crate::db::tickets;
use crate::domain::calendar::{end_of_day_utc, format_datetime};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::Tr;
use crate::web::kit::date::parse_date;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{RequestLang, SharedState, StaffChrome, page_no_store};

pub const PATH: &str = "/staff/personal-data";
const PAGE_SIZE: i64 = 100;
/// The purposes recorded, in the order the filter lists them.
pub const PURPOSES: [&str; 6] = ["view", "search", "export", "privacy", "mail", "log"];

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<i64>,
}

pub struct EntryView {
    pub at: String,
    pub purpose: String,
    pub who: String,
    pub code: String,
    pub code_display: String,
    pub whose: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/personal_data.html")]
struct LogPage {
    chrome: StaffChrome,
    users: Vec<Choice>,
    purposes: Vec<Choice>,
    code: String,
    from: String,
    to: String,
    entries: Vec<EntryView>,
    /// The next page's URL, when there are more entries.
    older: Option<String>,
    /// A typed date that could not be read.
    date_error: bool,
}

fn whose(t: &Tr, row: &LogRow) -> String {
    match (&row.full_name, &row.organization) {
        (Some(name), _) => name.clone(),
        (None, Some(org)) => org.clone(),
        (None, None) => t.t("pdlog-anonymised"),
    }
}

/// The filter the query asks for; `Err` when a typed date cannot be read.
fn filter_of(q: &LogQuery) -> Result<LogFilter, ()> {
    let date = |s: &str| -> Result<Option<chrono::NaiveDate>, ()> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        parse_date(s).map(Some).ok_or(())
    };
    let from = date(&q.from)?;
    let to = date(&q.to)?;
    let code = q.code.trim();
    Ok(LogFilter {
        user_id: q.user.trim().parse().ok(),
        code: (!code.is_empty()).then(|| {
            TrackingCode::parse(code)
                .map(|c| c.as_str().to_string())
                .unwrap_or_else(|| code.to_uppercase())
        }),
        purpose: PURPOSES
            .iter()
            .find(|p| **p == q.purpose)
            .map(|p| p.to_string()),
        // 00:00 in Vietnam of `from` is the end of the day before.
        from: from.map(|d| end_of_day_utc(d - Duration::days(1))),
        until: to.map(end_of_day_utc),
        before: q.before,
    })
}

fn older_url(q: &LogQuery, last: i64) -> String {
    let pairs = [
        ("user", q.user.as_str()),
        ("code", q.code.as_str()),
        ("purpose", q.purpose.as_str()),
        ("from", q.from.as_str()),
        ("to", q.to.as_str()),
    ];
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("before", &last.to_string());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
        query.append_pair(k, v.trim());
    }
    format!("{PATH}?{}", query.finish())
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(q): Query<LogQuery>,
) -> AppResult<Response> {
    if !user.access.reads_personal_data_log() {
        return Err(AppError::Forbidden);
    }
    let chrome = StaffChrome::new(&state, &lang, &user, PATH);
    let t = chrome.t;
    let filter = filter_of(&q);
    let mut conn = state.pool.get().await?;
    let viewers = personal_data_log::viewers(&mut conn).await?;
    let mut rows = match &filter {
        Ok(f) => personal_data_log::page(&mut conn, f, PAGE_SIZE + 1).await?,
        Err(()) => Vec::new(),
    };
    let older = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        older_url(&q, rows.last().map_or(0, |r| r.id))
    });
    // Reading the log shows whose data was read: that is logged too.
    let mut shown: Vec<i64> = rows.iter().map(|r| r.ticket_id).collect();
    shown.sort_unstable();
    shown.dedup();
    if !shown.is_empty() {
        tickets::record_personal_data_views(&mut conn, user.id, &shown, "log").await?;
    }
    drop(conn);
    let selected_user = filter.as_ref().ok().and_then(|f| f.user_id);
    let body = LogPage {
        users: viewers
            .into_iter()
            .map(|(id, name, email)| Choice {
                value: id.to_string(),
                label: format!("{name} ({email})"),
                selected: selected_user == Some(id),
            })
            .collect(),
        purposes: PURPOSES
            .iter()
            .map(|p| Choice {
                value: p.to_string(),
                label: t.t(&format!("pdlog-purpose-{p}")),
                selected: q.purpose == *p,
            })
            .collect(),
        code: q.code.trim().to_string(),
        from: q.from.trim().to_string(),
        to: q.to.trim().to_string(),
        entries: rows
            .iter()
            .map(|r| EntryView {
                at: format_datetime(r.at),
                purpose: t.t(&format!("pdlog-purpose-{}", r.purpose)),
                who: format!("{} ({})", r.user_name, r.user_email),
                code: r.code.clone(),
                code_display: TrackingCode::parse(&r.code)
                    .map(|c| c.display())
                    .unwrap_or_else(|| r.code.clone()),
                whose: whose(&t, r),
            })
            .collect(),
        older,
        date_error: filter.is_err(),
        chrome,
    };
    Ok(page_no_store(axum::http::StatusCode::OK, &lang, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_days_in_vietnam() {
        let q = LogQuery {
            from: "03/12/2026".into(),
            to: "2026-12-03".into(),
            ..LogQuery::default()
        };
        let f = filter_of(&q).expect("readable");
        assert_eq!(
            f.from.map(|t| t.to_rfc3339()),
            Some("2026-12-02T17:00:00+00:00".into())
        );
        assert_eq!(
            f.until.map(|t| t.to_rfc3339()),
            Some("2026-12-03T17:00:00+00:00".into())
        );
        let bad = LogQuery {
            from: "31/02/2026".into(),
            ..LogQuery::default()
        };
        assert!(filter_of(&bad).is_err());
    }

    #[test]
    fn the_next_page_keeps_the_filters() {
        let q = LogQuery {
            user: "7".into(),
            code: "PAKN-ABC".into(),
            purpose: "view".into(),
            ..LogQuery::default()
        };
        assert_eq!(
            older_url(&q, 42),
            "/staff/personal-data?before=42&user=7&code=PAKN-ABC&purpose=view"
        );
    }
}
