//! `GET /statistics`: the public figures (issue 18, item 5), for the year so far and the
//! last year: PAKN received (by day of receipt) and answered, and answered on time (by
//! day of answer), by lĩnh vực and by month, from the report aggregates. Counts only: no
//! personal data, no content, no code.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Utc};

use crate::db::reports::{self, PublicRow};
use crate::domain::calendar::{format_date, local_date};
use crate::domain::report::format_permille;
use crate::i18n::Tr;
use crate::web::kit::chart::{BarChart, Numbers, Orientation, PageChart, Series, Unit};
use crate::web::kit::counts::Lookup;
use crate::web::kit::error::AppResult;
use crate::web::kit::{Chrome, RequestLang, SharedState, page};

/// One line of a public table.
#[derive(Debug, Clone, Default)]
pub struct StatLine {
    pub label: String,
    pub received: i64,
    pub answered: i64,
    pub on_time: i64,
    pub rate: String,
}

/// One year's two tables.
pub struct YearView {
    pub heading: String,
    /// `stats-2026`: ids of the year's headings and tables.
    pub id: String,
    pub by_field: Vec<StatLine>,
    pub by_month: Vec<StatLine>,
    pub total: StatLine,
    /// Received and answered on time per month; the on-time rate per lĩnh vực.
    pub charts: Vec<PageChart>,
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics.html")]
pub struct StatisticsPage {
    pub chrome: Chrome,
    pub years: Vec<YearView>,
}

pub async fn show(State(state): State<SharedState>, lang: RequestLang) -> AppResult<Response> {
    let t = lang.tr();
    let today = local_date(Utc::now());
    let this_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last_year = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
    let last_day = this_year.pred_opt().unwrap_or(today);
    // Kept a few seconds, as the overview's counts: a public page anyone may reload.
    let (current, previous) = match state.counts.statistics.lookup(&today) {
        Lookup::Use(counted) => counted.value,
        Lookup::Count => {
            let mut conn = state.reads.get().await?;
            let current = reports::public_rows(&mut conn, (this_year, today), today).await?;
            let previous = reports::public_rows(&mut conn, (last_year, last_day), today).await?;
            drop(conn);
            state
                .counts
                .statistics
                .put(today, (current, previous))
                .value
        }
    };
    let reference = state.reference.get();
    let field_name = |code: &str| {
        reference.field(code).map_or_else(
            || code.to_string(),
            |f| t.pick(&f.name_vi, &f.name_en).to_string(),
        )
    };
    let heading_now = t.t2(
        "stats-year-to-date",
        "year",
        today.year().to_string(),
        "date",
        format_date(today),
    );
    let heading_last = t.t1("stats-last-year", "year", (today.year() - 1).to_string());
    let years = vec![
        year_view(
            &t,
            heading_now,
            (today.year(), today.month()),
            &current,
            &field_name,
        ),
        year_view(
            &t,
            heading_last,
            (today.year() - 1, 12),
            &previous,
            &field_name,
        ),
    ];
    let body = StatisticsPage {
        chrome: Chrome::new(&state, &lang, "/statistics"),
        years,
    };
    Ok(page(&lang, body))
}

/// The year's view; its months run from January to `last_month` (every one shown, with
/// or without PAKN).
fn year_view(
    t: &Tr,
    heading: String,
    (year, last_month): (i32, u32),
    rows: &[PublicRow],
    field_name: &dyn Fn(&str) -> String,
) -> YearView {
    let mut by_field: BTreeMap<String, StatLine> = BTreeMap::new();
    let mut by_month: BTreeMap<u32, StatLine> =
        (1..=last_month).map(|m| (m, StatLine::default())).collect();
    let mut total = StatLine {
        label: t.t("staff-total"),
        ..StatLine::default()
    };
    for r in rows {
        for line in [
            by_field.entry(r.field_code.clone()).or_default(),
            by_month.entry(r.month.month()).or_default(),
        ] {
            add(line, r);
        }
        add(&mut total, r);
    }
    let mut by_field: Vec<StatLine> = by_field
        .into_iter()
        .map(|(code, line)| StatLine {
            label: field_name(&code),
            ..line
        })
        .collect();
    by_field.sort_by(|a, b| b.received.cmp(&a.received).then(a.label.cmp(&b.label)));
    let by_month = by_month
        .into_iter()
        .map(|(m, line)| StatLine {
            label: format!("{m:02}/{year}"),
            ..line
        })
        .collect();
    let mut view = YearView {
        heading,
        id: format!("stats-{year}"),
        by_field,
        by_month,
        total,
        charts: Vec::new(),
    };
    for line in view
        .by_field
        .iter_mut()
        .chain(view.by_month.iter_mut())
        .chain([&mut view.total])
    {
        line.rate = rate(t, line);
    }
    view.charts = year_charts(t, &view);
    view
}

/// The year's charts: received and answered on time per month, and the on-time rate of
/// the lĩnh vực that answered any PAKN (best first, at most ten).
fn year_charts(t: &Tr, view: &YearView) -> Vec<PageChart> {
    let numbers = Numbers::of(t);
    let months = BarChart {
        id: format!("{}-chart-months", view.id),
        title: t.t("stats-chart-months"),
        desc: t.t1("stats-chart-months-desc", "year", view.heading.clone()),
        categories: view.by_month.iter().map(|l| l.label.clone()).collect(),
        series: vec![
            Series {
                label: t.t("stats-col-received"),
                values: view.by_month.iter().map(|l| l.received as f64).collect(),
            },
            Series {
                label: t.t("stats-col-on-time"),
                values: view.by_month.iter().map(|l| l.on_time as f64).collect(),
            },
        ],
        unit: Unit::Count,
        orientation: Orientation::Columns,
        numbers,
    };
    let mut rated: Vec<(&str, f64)> = view
        .by_field
        .iter()
        .filter(|l| l.answered > 0)
        .map(|l| {
            let rate = 100.0 * l.on_time as f64 / l.answered as f64;
            (l.label.as_str(), rate)
        })
        .collect();
    rated.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    rated.truncate(10);
    let fields = BarChart::ranking(
        (
            &format!("{}-chart-fields", view.id),
            t.t("stats-chart-fields"),
            t.t1("stats-chart-fields-desc", "year", view.heading.clone()),
        ),
        t.t("stats-col-rate"),
        &rated,
        Unit::Percent,
        numbers,
    );
    vec![
        months.page(view.total.received == 0 && view.total.answered == 0),
        fields.page(rated.is_empty()),
    ]
}

fn add(line: &mut StatLine, r: &PublicRow) {
    line.received += r.received;
    line.answered += r.answered;
    line.on_time += r.on_time;
}

fn rate(t: &Tr, line: &StatLine) -> String {
    if line.answered <= 0 {
        return "–".to_string();
    }
    let permille = (line.on_time * 1000 + line.answered / 2) / line.answered;
    format_permille(permille, t.code() == "vi")
}
