//! `GET /staff/overview`: open, overdue, due this week, received this month, answered on
//! time and late, per unit and lĩnh vực, from the counters (not scans).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, Utc};

use crate::auth::StaffUser;
use crate::db::overview::{self, CounterLine, DueLine};
use crate::domain::calendar::local_date;
use crate::domain::reference::Reference;
use crate::i18n::Tr;
use crate::web::kit::counts::{Counted, Lookup};
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AppState, RequestLang, SharedState, StaffChrome};

const CHROME_PATH: &str = "/staff/overview";

/// One line of figures: the totals at the top, or a unit's or lĩnh vực's in a table.
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

/// One table of lines: by unit, or by lĩnh vực.
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
    let counted = count(&state, viewer.scope_unit(), today).await?;
    let (counters, dues) = &counted.value;
    let reference = state.reference.get();
    let by_unit = Table::by_unit(&t, &reference, counters, dues);
    let by_field = Table::by_field(&t, &reference, counters);
    let page = OverviewPage {
        chrome: StaffChrome::new(&state, &lang, &user, CHROME_PATH),
        t,
        total: Line::total(t.t("staff-total"), &by_unit.lines),
        tables: vec![by_unit, by_field],
        counted_at: super::queue::counted_at(&state, &t, counted.at),
    };
    Ok(crate::web::kit::page(&lang, page))
}

/// The counter lines (this month, open, answered, ratings) and due lines (overdue, due
/// this week) of `scope`, from memory when counted in the last few seconds.
async fn count(
    state: &AppState,
    scope: Option<i32>,
    today: NaiveDate,
) -> AppResult<Counted<(Vec<CounterLine>, Vec<DueLine>)>> {
    let month = today.with_day(1).unwrap_or(today);
    let week_end =
        today + chrono::Duration::days(i64::from(6 - today.weekday().num_days_from_monday()));
    let key = (scope, today);
    Ok(match state.counts.overview.lookup(&key) {
        Lookup::Use(counted) => counted,
        Lookup::Count => {
            let mut conn = state.pool.get().await?;
            let counters = overview::counter_lines(&mut conn, scope, month).await?;
            let dues = overview::due_lines(&mut conn, scope, today, week_end).await?;
            drop(conn);
            state.counts.overview.put(key, (counters, dues))
        }
    })
}

impl Line {
    fn named(name: String) -> Line {
        Line {
            name,
            ..Line::default()
        }
    }

    /// Adds a counter line's figures (all but overdue and due this week).
    fn count(&mut self, c: &CounterLine) {
        self.open += c.open;
        self.received_this_month += c.received_this_month;
        self.on_time += c.on_time;
        self.late += c.late;
        self.satisfied += c.satisfied;
        self.neutral += c.neutral;
        self.unsatisfied += c.unsatisfied;
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
            acc.received_this_month += l.received_this_month;
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
    fn by_unit(t: &Tr, reference: &Reference, counters: &[CounterLine], dues: &[DueLine]) -> Table {
        let mut unit_ids: Vec<i32> = counters
            .iter()
            .map(|c| c.unit_id)
            .chain(dues.iter().map(|d| d.unit_id))
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
                counters
                    .iter()
                    .filter(|c| c.unit_id == id)
                    .for_each(|c| line.count(c));
                if let Some(d) = dues.iter().find(|d| d.unit_id == id) {
                    line.overdue = d.overdue;
                    line.due_this_week = d.due_this_week;
                }
                line
            })
            .collect();
        Table {
            heading: t.t("staff-by-unit"),
            lines,
            per_unit: true,
        }
    }

    /// One line per lĩnh vực with any figure, in the reference order.
    fn by_field(t: &Tr, reference: &Reference, counters: &[CounterLine]) -> Table {
        let lines = reference
            .fields
            .iter()
            .map(|f| {
                let mut line = Line::named(t.pick(&f.name_vi, &f.name_en).to_string());
                counters
                    .iter()
                    .filter(|c| c.field_code == f.code)
                    .for_each(|c| line.count(c));
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
}
