//! `GET /staff/reports` (the report on screen, with the period form) and
//! `GET /staff/reports/print` (the printable report with the agency heading and the
//! signature block).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;

use super::charts;
use super::model::{self, Report, ReportParams, Selection};
use super::table::{self, Row};
use crate::auth::StaffUser;
use crate::domain::calendar::local_date;
use crate::domain::report::{Basis, Grouping, Period};
use crate::i18n::Tr;
use crate::web::kit::chart::{Numbers, PageChart};
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AppState, RequestLang, SharedState, StaffChrome};

const PATH: &str = "/staff/reports";

/// One option of a list: its value, its label, whether chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One numbered table of the report.
pub struct TableView {
    pub heading: String,
    pub headings: Vec<String>,
    pub rows: Vec<Row>,
    pub total: Row,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/reports.html")]
pub struct ReportsPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub periods: Vec<Choice>,
    pub bases: Vec<Choice>,
    pub groupings: Vec<Choice>,
    pub from: String,
    pub to: String,
    pub period_name: String,
    pub dates: String,
    pub summary: String,
    pub query: String,
    pub charts: Vec<PageChart>,
    pub table: TableView,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/reports_print.html")]
pub struct PrintPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub period_name: String,
    pub dates: String,
    pub basis: String,
    pub summary: String,
    pub query: String,
    pub charts: Vec<PageChart>,
    pub tables: Vec<TableView>,
}

/// The viewer's report selection and unit scope, or 404 for those who read no PAKN.
fn allowed(user: &StaffUser) -> AppResult<Option<i32>> {
    if !user.access.reads_reports() {
        return Err(AppError::NotFound);
    }
    Ok(user.access.scope_unit())
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<ReportParams>,
) -> AppResult<Response> {
    let scope = allowed(&user)?;
    let t = lang.tr();
    let today = local_date(Utc::now());
    let selection = params.selection(today);
    let report = model::build(&state, &t, selection, scope).await?;
    let charts = report_charts(&state, &t, &report, scope).await?;
    let (from, to) = match selection.period {
        Period::Range(f, to) => (f.to_string(), to.to_string()),
        _ => (String::new(), String::new()),
    };
    let page = ReportsPage {
        chrome: StaffChrome::new(&state, &lang, &user, PATH),
        periods: period_choices(&t, &selection, today),
        bases: basis_choices(&t, selection.basis),
        groupings: grouping_choices(&t, selection.grouping),
        from,
        to,
        period_name: table::period_name(&t, &selection),
        dates: selection.dates(),
        summary: table::summary(&t, &report.total.figures),
        query: selection.query(),
        charts,
        table: table_view(&t, &report, 1, true),
        t,
    };
    Ok(crate::web::kit::page(&lang, page))
}

pub async fn print(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<ReportParams>,
) -> AppResult<Response> {
    let scope = allowed(&user)?;
    let t = lang.tr();
    let selection = params.selection(local_date(Utc::now()));
    let reports = document_reports(&state, &t, selection, scope).await?;
    let summary = table::summary(&t, &reports[0].total.figures);
    let charts = report_charts(&state, &t, &reports[0], scope).await?;
    let tables = reports
        .iter()
        .enumerate()
        .map(|(i, r)| table_view(&t, r, i + 1, false))
        .collect();
    let page = PrintPage {
        chrome: StaffChrome::new(&state, &lang, &user, PATH),
        period_name: table::period_name(&t, &selection),
        dates: selection.dates(),
        basis: t.t(&format!("report-basis-{}", selection.basis.as_str())),
        summary,
        query: selection.query(),
        charts,
        tables,
        t,
    };
    Ok(crate::web::kit::page(&lang, page))
}

/// The charts of `report` (its trend read besides the figures).
async fn report_charts(
    state: &AppState,
    t: &Tr,
    report: &Report,
    scope: Option<i32>,
) -> AppResult<Vec<PageChart>> {
    let (trend, weekly) = model::trend(state, &report.selection, scope).await?;
    let numbers = Numbers::of(t);
    let period = table::period_name(t, &report.selection);
    Ok(charts::build(t, numbers, report, &trend, weekly, &period))
}

/// The tables of the report as a document: by the chosen grouping, then by unit and by
/// lĩnh vực when those are not the chosen one.
pub async fn document_reports(
    state: &AppState,
    t: &Tr,
    selection: Selection,
    scope: Option<i32>,
) -> AppResult<Vec<Report>> {
    let mut groupings = vec![selection.grouping];
    for g in [Grouping::Unit, Grouping::Field] {
        if !groupings.contains(&g) {
            groupings.push(g);
        }
    }
    let mut out = Vec::new();
    for grouping in groupings {
        let s = Selection {
            grouping,
            ..selection
        };
        out.push(model::build(state, t, s, scope).await?);
    }
    Ok(out)
}

/// A report's numbered table.
pub fn table_view(t: &Tr, report: &Report, n: usize, links: bool) -> TableView {
    let grouping = report.selection.grouping;
    let by = t
        .t(&format!("report-by-{}", grouping.as_str()))
        .to_lowercase();
    let (rows, total) = table::rows(t, report, links);
    TableView {
        heading: t.t2("report-table", "n", n.to_string(), "by", by),
        headings: table::headings(t, grouping),
        rows,
        total,
    }
}

fn period_choices(t: &Tr, selection: &Selection, today: chrono::NaiveDate) -> Vec<Choice> {
    let chosen = selection.period;
    let mut out: Vec<Choice> = Period::choices(&model::years(today))
        .into_iter()
        .filter(|p| p.bounds().is_some_and(|(from, _)| from <= today))
        .map(|p| {
            let s = Selection {
                period: p,
                ..*selection
            };
            Choice {
                value: p.code(),
                label: table::period_name(t, &s),
                selected: p == chosen,
            }
        })
        .collect();
    out.push(Choice {
        value: "range".into(),
        label: t.t("report-period-custom"),
        selected: matches!(chosen, Period::Range(..)),
    });
    out
}

fn basis_choices(t: &Tr, chosen: Basis) -> Vec<Choice> {
    [Basis::Receipt, Basis::Event]
        .into_iter()
        .map(|b| Choice {
            value: b.as_str().into(),
            label: t.t(&format!("report-basis-{}", b.as_str())),
            selected: b == chosen,
        })
        .collect()
}

fn grouping_choices(t: &Tr, chosen: Grouping) -> Vec<Choice> {
    Grouping::ALL
        .into_iter()
        .map(|g| Choice {
            value: g.as_str().into(),
            label: t.t(&format!("report-by-{}", g.as_str())),
            selected: g == chosen,
        })
        .collect()
}
