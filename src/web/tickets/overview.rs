//! `GET /staff/overview?period=…`: open, overdue and due this week now; for a period by
//! month of receipt (this month, last month, this quarter, this half-year, this year,
//! last year), received, answered on time and late, the on-time and satisfaction
//! rates, per unit and lĩnh vực, and charts ([`super::overview_charts`]), all from the
//! counters (never a scan of the tickets).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Utc};
use serde::Deserialize;

use super::overview_charts;
use super::overview_period::{Period, add_months};
use crate::auth::StaffUser;
use crate::db::overview::{self, MonthLine, OpenLine, OverviewCounts};
use crate::domain::calendar::local_date;
use crate::domain::reference::Reference;
use crate::i18n::Tr;
use crate::web::kit::calendar_gaps::{self, GapView};
use crate::web::kit::chart::{Numbers, PageChart, Unit, number};
use crate::web::kit::counts::{Counted, Lookup};
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AppState, RequestLang, SharedState, StaffChrome};

const CHROME_PATH: &str = "/staff/overview";

/// One line of figures: the totals at the top, or a unit's or lĩnh vực's in a table.
/// `open`, `overdue` and `due_this_week` are now; the others are of the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub name: String,
    pub open: i64,
    pub overdue: i64,
    pub due_this_week: i64,
    pub received: i64,
    pub on_time: i64,
    pub late: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub unsatisfied: i64,
    /// "87,5 %", or "–" with nothing answered (set by [`Line::with_rates`]).
    pub on_time_rate: String,
    pub satisfaction_rate: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/overview.html")]
pub struct OverviewPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub periods: Vec<PeriodLink>,
    /// "Quý này (01/10/2026 – 31/12/2026)".
    pub period_label: String,
    pub total: Line,
    pub charts: Vec<PageChart>,
    pub tables: Vec<Table>,
    /// When the figures were counted, if they are kept for a few seconds.
    pub counted_at: Option<String>,
    /// What the working-day calendar lacks: deadlines computed over it would be wrong.
    pub gaps: Vec<GapView>,
    /// Whether the gaps offer their one-step fix (admins only).
    pub gaps_can_add: bool,
}

pub struct PeriodLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// One table of lines: by unit, or by lĩnh vực.
pub struct Table {
    pub heading: String,
    pub lines: Vec<Line>,
    /// Overdue and due-this-week are counted per unit only.
    pub per_unit: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct OverviewParams {
    pub period: Option<String>,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<OverviewParams>,
) -> AppResult<Response> {
    let viewer = &user.access;
    if !viewer.reads_tickets() {
        return Err(AppError::NotFound);
    }
    let t = lang.tr();
    let numbers = Numbers::of(&t);
    let today = local_date(Utc::now());
    let period = Period::parse(params.period.as_deref());
    let (from, until) = period.months(today);
    let counted = count(&state, viewer.scope_unit(), today).await?;
    let counts = &counted.value;
    let in_period: Vec<&MonthLine> = counts
        .months
        .iter()
        .filter(|l| l.month >= from && l.month < until)
        .collect();
    let reference = state.reference.get();
    let by_unit = Table::by_unit(&t, &reference, counts, &in_period);
    let by_field = Table::by_field(&t, &reference, &counts.open, &in_period);
    let total = Line::total(t.t("staff-total"), &by_unit.lines).with_rates(numbers);
    let period_label = t.t2(
        "overview-period-range",
        "period",
        t.t(&period.label_id()),
        "range",
        format!(
            "{} – {}",
            crate::domain::calendar::format_date(from),
            crate::domain::calendar::format_date(until.pred_opt().unwrap_or(until))
        ),
    );
    let cx = overview_charts::ChartCx {
        t: &t,
        numbers,
        period: &period_label,
    };
    let charts = vec![
        overview_charts::per_month(&cx, &counts.months, today),
        overview_charts::on_time_by_unit(&cx, &by_unit.lines),
        overview_charts::busiest_fields(&cx, &by_field.lines),
        overview_charts::satisfaction(&cx, &total),
    ];
    let page = OverviewPage {
        chrome: StaffChrome::new(&state, &lang, &user, CHROME_PATH),
        t,
        periods: period_links(&t, period),
        period_label,
        total,
        charts,
        tables: vec![by_unit.with_rates(numbers), by_field.with_rates(numbers)],
        counted_at: super::queue::counted_at(&state, &t, counted.at),
        gaps: calendar_gaps::views(&t, &counts.calendar_gaps),
        gaps_can_add: user.access.administers(),
    };
    Ok(crate::web::kit::page(&lang, page))
}

fn period_links(t: &Tr, current: Period) -> Vec<PeriodLink> {
    Period::ALL
        .into_iter()
        .map(|p| PeriodLink {
            href: format!("{CHROME_PATH}?period={}", p.as_str()),
            label: t.t(&p.label_id()),
            current: p == current,
        })
        .collect()
}

/// The counts of `scope`: open now, every month of receipt from January of last year
/// (the earliest a period or the 12-month chart reaches) and overdue and due this week,
/// from memory when counted in the last few seconds (whatever the period: one entry
/// serves them all).
async fn count(
    state: &AppState,
    scope: Option<i32>,
    today: NaiveDate,
) -> AppResult<Counted<OverviewCounts>> {
    let this_month = today.with_day(1).unwrap_or(today);
    let from = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(this_month);
    let until = add_months(this_month, 1);
    let week_end =
        today + chrono::Duration::days(i64::from(6 - today.weekday().num_days_from_monday()));
    let key = (scope, today);
    Ok(match state.counts.overview.lookup(&key) {
        Lookup::Use(counted) => counted,
        Lookup::Count => {
            let mut conn = state.pool.get().await?;
            let counts = OverviewCounts {
                open: overview::open_lines(&mut conn, scope).await?,
                months: overview::month_lines(&mut conn, scope, from, until).await?,
                dues: overview::due_lines(&mut conn, scope, today, week_end).await?,
                calendar_gaps: crate::db::admin::calendar::gaps(&mut conn, today).await?,
            };
            drop(conn);
            state.counts.overview.put(key, counts)
        }
    })
}

/// `part` of `whole` as a percentage, or "–" when the whole is 0.
pub fn rate(part: i64, whole: i64, numbers: Numbers) -> String {
    if whole <= 0 {
        return "–".to_string();
    }
    number(100.0 * part as f64 / whole as f64, Unit::Percent, numbers)
}

impl Line {
    fn named(name: String) -> Line {
        Line {
            name,
            ..Line::default()
        }
    }

    /// Adds a month's figures.
    fn count(&mut self, m: &MonthLine) {
        self.received += m.received;
        self.on_time += m.on_time;
        self.late += m.late;
        self.satisfied += m.satisfied;
        self.neutral += m.neutral;
        self.unsatisfied += m.unsatisfied;
    }

    /// Answered in the period (on time or late).
    pub fn answered(&self) -> i64 {
        self.on_time + self.late
    }

    pub fn rated(&self) -> i64 {
        self.satisfied + self.neutral + self.unsatisfied
    }

    fn with_rates(mut self, numbers: Numbers) -> Line {
        self.on_time_rate = rate(self.on_time, self.answered(), numbers);
        self.satisfaction_rate = rate(self.satisfied, self.rated(), numbers);
        self
    }

    /// Whether any figure is not zero.
    fn has_figures(&self) -> bool {
        *self != Line::named(self.name.clone())
    }

    /// The sum of `lines`, under `name` (the figures at the top of the page).
    fn total(name: String, lines: &[Line]) -> Line {
        lines.iter().fold(Line::named(name), |mut acc, l| {
            acc.open += l.open;
            acc.overdue += l.overdue;
            acc.due_this_week += l.due_this_week;
            acc.received += l.received;
            acc.on_time += l.on_time;
            acc.late += l.late;
            acc.satisfied += l.satisfied;
            acc.neutral += l.neutral;
            acc.unsatisfied += l.unsatisfied;
            acc
        })
    }
}

impl Table {
    /// One line per unit that has figures, with its overdue and due this week.
    fn by_unit(
        t: &Tr,
        reference: &Reference,
        counts: &OverviewCounts,
        months: &[&MonthLine],
    ) -> Table {
        let mut unit_ids: Vec<i32> = counts
            .open
            .iter()
            .map(|c| c.unit_id)
            .chain(months.iter().map(|m| m.unit_id))
            .chain(counts.dues.iter().map(|d| d.unit_id))
            .collect();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        let lines = unit_ids
            .into_iter()
            .map(|id| {
                let name = reference
                    .unit(id)
                    .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                    .unwrap_or_else(|| id.to_string());
                let mut line = Line::named(name);
                line.open = open_of(&counts.open, |o| o.unit_id == id);
                months
                    .iter()
                    .filter(|m| m.unit_id == id)
                    .for_each(|m| line.count(m));
                if let Some(d) = counts.dues.iter().find(|d| d.unit_id == id) {
                    line.overdue = d.overdue;
                    line.due_this_week = d.due_this_week;
                }
                line
            })
            .filter(Line::has_figures)
            .collect();
        Table {
            heading: t.t("staff-by-unit"),
            lines,
            per_unit: true,
        }
    }

    /// One line per lĩnh vực with any figure, in the reference order.
    fn by_field(t: &Tr, reference: &Reference, open: &[OpenLine], months: &[&MonthLine]) -> Table {
        let lines = reference
            .fields
            .iter()
            .map(|f| {
                let mut line = Line::named(t.pick(&f.name_vi, &f.name_en).to_string());
                line.open = open_of(open, |o| o.field_code == f.code);
                months
                    .iter()
                    .filter(|m| m.field_code == f.code)
                    .for_each(|m| line.count(m));
                line
            })
            .filter(Line::has_figures)
            .collect();
        Table {
            heading: t.t("staff-by-field"),
            lines,
            per_unit: false,
        }
    }

    fn with_rates(mut self, numbers: Numbers) -> Table {
        self.lines = self
            .lines
            .into_iter()
            .map(|l| l.with_rates(numbers))
            .collect();
        self
    }
}

fn open_of(open: &[OpenLine], which: impl Fn(&OpenLine) -> bool) -> i64 {
    open.iter().filter(|o| which(o)).map(|o| o.open).sum()
}
