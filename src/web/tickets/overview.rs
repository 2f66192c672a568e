//! `GET /staff/overview`: open, overdue, due this week, received this month, answered on
//! time and late, per unit and lĩnh vực, from the counters (not scans).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, Utc};

use crate::auth::StaffUser;
use crate::web::kit::StaffChrome;
use crate::web::kit::counts::Lookup;

const CHROME_PATH: &str = "/staff/overview";
use crate::db::overview;
use crate::domain::calendar::local_date;
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::error::{AppError, AppResult};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub name: String,
    pub open: i64,
    pub overdue: i64,
    pub due_this_week: i64,
    pub received_this_month: i64,
    pub on_time: i64,
    pub late: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub unsatisfied: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/overview.html")]
pub struct OverviewPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub total: Line,
    pub tables: Vec<Table>,
    /// When the figures were counted, if they are kept for a few seconds.
    pub counted_at: Option<String>,
}

pub struct Table {
    pub heading: String,
    pub lines: Vec<Line>,
    /// Overdue and due-this-week are counted per unit only.
    pub per_unit: bool,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
) -> AppResult<Response> {
    let viewer = &user.access;
    if !viewer.reads_tickets() {
        return Err(AppError::NotFound);
    }
    let t = lang.tr();
    let today = local_date(Utc::now());
    let month = today.with_day(1).unwrap_or(today);
    let week_end =
        today + chrono::Duration::days(i64::from(6 - today.weekday().num_days_from_monday()));
    let scope = viewer.scope_unit();
    let key = (scope, today);
    let counted = match state.counts.overview.lookup(&key) {
        Lookup::Use(counted) => counted,
        Lookup::Count => {
            let mut conn = state.pool.get().await?;
            let counters = overview::counter_lines(&mut conn, scope, month).await?;
            let dues = overview::due_lines(&mut conn, scope, today, week_end).await?;
            drop(conn);
            state.counts.overview.put(key, (counters, dues))
        }
    };
    let counted_at = super::queue::counted_at(&state, &t, counted.at);
    let (counters, dues) = counted.value;
    let reference = state.reference.get();
    let mut units: Vec<Line> = Vec::new();
    let mut unit_ids: Vec<i32> = counters
        .iter()
        .map(|c| c.unit_id)
        .chain(dues.iter().map(|d| d.unit_id))
        .collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    for id in unit_ids {
        let mut line = Line {
            name: reference
                .unit(id)
                .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                .unwrap_or_else(|| id.to_string()),
            ..Line::default()
        };
        for c in counters.iter().filter(|c| c.unit_id == id) {
            line.open += c.open;
            line.received_this_month += c.received_this_month;
            line.on_time += c.on_time;
            line.late += c.late;
            line.satisfied += c.satisfied;
            line.neutral += c.neutral;
            line.unsatisfied += c.unsatisfied;
        }
        if let Some(d) = dues.iter().find(|d| d.unit_id == id) {
            line.overdue = d.overdue;
            line.due_this_week = d.due_this_week;
        }
        units.push(line);
    }
    let mut fields: Vec<Line> = Vec::new();
    for f in &reference.fields {
        let mut line = Line {
            name: t.pick(&f.name_vi, &f.name_en).to_string(),
            ..Line::default()
        };
        for c in counters.iter().filter(|c| c.field_code == f.code) {
            line.open += c.open;
            line.received_this_month += c.received_this_month;
            line.on_time += c.on_time;
            line.late += c.late;
            line.satisfied += c.satisfied;
            line.neutral += c.neutral;
            line.unsatisfied += c.unsatisfied;
        }
        if line
            != (Line {
                name: line.name.clone(),
                ..Line::default()
            })
        {
            fields.push(line);
        }
    }
    let total = units.iter().fold(
        Line {
            name: t.t("staff-total"),
            ..Line::default()
        },
        |mut acc, l| {
            acc.open += l.open;
            acc.overdue += l.overdue;
            acc.due_this_week += l.due_this_week;
            acc.received_this_month += l.received_this_month;
            acc.on_time += l.on_time;
            acc.late += l.late;
            acc.satisfied += l.satisfied;
            acc.neutral += l.neutral;
            acc.unsatisfied += l.unsatisfied;
            acc
        },
    );
    let page = OverviewPage {
        t,
        chrome: StaffChrome::new(&state, &lang, &user, CHROME_PATH),
        total,
        tables: vec![
            Table {
                heading: t.t("staff-by-unit"),
                lines: units,
                per_unit: true,
            },
            Table {
                heading: t.t("staff-by-field"),
                lines: fields,
                per_unit: false,
            },
        ],
        counted_at,
    };
    Ok(crate::web::kit::page(&lang, page))
}
