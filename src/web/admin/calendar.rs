//! `/staff/admin/calendar`: the exceptions to the Monday–Friday week, a year at a time:
//! holidays, compensatory and swapped days off, make-up working days, each official
//! (announced) or expected (derived before the yearly notice, to confirm). Days can be
//! added, edited and removed; deadlines of new PAKN follow at once.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;

use super::finish;
use super::screen::{Key, Screen};
use crate::db::admin::calendar::{self, DayInput, DayRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::domain::calendar::{DayKind, format_date, local_date};
use crate::i18n::Tr;
use crate::web::kit::detached;
use crate::web::kit::error::AppError;
use crate::web::kit::form_view::{Input, ListRow, Opt, PostButton};
use crate::web::kit::{AdminUser, Fields, check_csrf};
use crate::web::kit::{AppState, SharedState};

pub struct CalendarScreen;

const LIST: &str = CalendarScreen::LIST;

fn kind_label(kind: &str) -> String {
    format!("admin-day-kind-{}", kind.replace('_', "-"))
}

fn status_label(status: &str) -> String {
    format!("admin-day-status-{status}")
}

fn weekday(t: Tr, d: NaiveDate) -> String {
    t.t(&format!(
        "admin-weekday-{}",
        d.weekday().number_from_monday()
    ))
}

fn this_year() -> i32 {
    local_date(chrono::Utc::now()).year()
}

/// The year the list shows and a new day starts in: `?year=` when it is one from 2000
/// to 2100, else this one.
#[derive(Debug, Deserialize)]
#[serde(from = "YearParam")]
pub struct Year(i32);

#[derive(Debug, Deserialize)]
struct YearParam {
    year: Option<String>,
}

impl From<YearParam> for Year {
    fn from(q: YearParam) -> Year {
        Year(
            q.year
                .as_deref()
                .and_then(|y| y.trim().parse::<i32>().ok())
                .filter(|y| (2000..=2100).contains(y))
                .unwrap_or_else(this_year),
        )
    }
}

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    day: String,
    kind: String,
    name: String,
    status: String,
    note: String,
}

impl Screen for CalendarScreen {
    type Record = DayRow;
    type Form = Form;
    type Query = Year;
    const LIST: &'static str = "/staff/admin/calendar";
    const TITLE: &'static str = "admin-calendar";

    /// Only the exact `YYYY-MM-DD` the list links to.
    fn key(raw: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
    }

    async fn records(conn: &mut AsyncPgConnection, &Year(year): &Year) -> QueryResult<Vec<DayRow>> {
        calendar::year(conn, year).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![
            t.t("admin-day-date"),
            t.t("admin-day-kind"),
            t.t("admin-day-name"),
            t.t("admin-day-status"),
            t.t("admin-day-note"),
        ]
    }

    fn rows(t: Tr, _: &AppState, records: Vec<DayRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|d| ListRow {
                id: format!("day-{}", d.day),
                flags: Vec::new(),
                cells: vec![
                    vec![format_date(d.day), weekday(t, d.day)],
                    vec![t.t(&kind_label(&d.kind))],
                    vec![d.name],
                    vec![t.t(&status_label(&d.status))],
                    vec![d.note.unwrap_or_default()],
                ],
                edit_href: Some(format!("{LIST}/{}", d.day)),
                inactive: false,
                actions: Vec::new(),
            })
            .collect()
    }

    fn heading(t: Tr, &Year(year): &Year) -> String {
        t.t1("admin-calendar-year", "value", year.to_string())
    }

    fn new_href(&Year(year): &Year) -> String {
        format!("{LIST}/new?year={year}")
    }

    fn pages(&Year(year): &Year) -> Vec<(String, String, bool)> {
        (year - 1..=year + 1)
            .map(|y| (format!("{LIST}?year={y}"), y.to_string(), y == year))
            .collect()
    }

    fn empty(t: Tr) -> String {
        t.t("admin-calendar-empty")
    }

    /// A new day starts in the year being looked at, when it is not this one.
    fn blank(&Year(year): &Year) -> Form {
        let day = if year == this_year() {
            String::new()
        } else {
            format!("01/01/{year}")
        };
        Form {
            day,
            status: "official".into(),
            ..Form::default()
        }
    }

    fn of(d: &DayRow) -> Form {
        Form {
            day: format_date(d.day),
            kind: d.kind.clone(),
            name: d.name.clone(),
            status: d.status.clone(),
            note: d.note.clone().unwrap_or_default(),
        }
    }

    fn read(f: &Fields, _: &AppState, existing: Option<&DayRow>) -> Form {
        Form {
            day: match existing {
                Some(d) => format_date(d.day),
                None => f.get("day").trim().to_string(),
            },
            kind: f.get("kind").to_string(),
            name: f.get("name").to_string(),
            status: f.get("status").to_string(),
            note: f.get("note").to_string(),
        }
    }

    fn parse(form: &Form, _creating: bool) -> Result<DayInput, Vec<Problem>> {
        let mut p = Problems::default();
        let day = check::date(&form.day);
        let kind = DayKind::parse(form.kind.trim());
        if form.kind.trim().is_empty() {
            p.push(Problem::input("kind", check::InputError::Required));
        } else if kind.is_none() {
            p.push(Problem::input("kind", check::InputError::Choice));
        }
        if let (Ok(day), Some(kind)) = (day, kind)
            && let Err(e) = check::calendar_day(day, kind)
        {
            p.push(Problem::input("kind", e));
        }
        let input = DayInput {
            day: day.unwrap_or_default(),
            kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            name: p.check("name", check::required(&form.name, check::NAME_MAX)),
            status: p
                .check("status", check::choice(&form.status, &check::DAY_STATUSES))
                .to_string(),
            note: p.check("note", check::optional(&form.note, check::NOTE_MAX)),
        };
        if let Err(e) = day {
            p.push(Problem::input("day", e));
        }
        p.into_result(input)
    }

    fn inputs(t: Tr, _: &AppState, form: &Form, key: Option<&Key<Self>>) -> Vec<Input> {
        let day = match key {
            Some(d) => Input::readonly(
                "day",
                t.t("admin-day-date"),
                &format!("{} ({})", format_date(*d), weekday(t, *d)),
            ),
            None => Input::text("day", t.t("admin-day-date"), &form.day, 10)
                .required()
                .hint(t.t("admin-day-date-hint")),
        };
        let mut kinds = vec![Opt::new("", t.t("admin-choose"), form.kind.is_empty())];
        kinds.extend(DayKind::ALL.iter().map(|k| {
            Opt::new(
                k.as_str(),
                t.t(&kind_label(k.as_str())),
                form.kind == k.as_str(),
            )
        }));
        let statuses = check::DAY_STATUSES
            .iter()
            .map(|s| Opt::new(*s, t.t(&status_label(s)), form.status == *s))
            .collect();
        vec![
            day,
            Input::select("kind", t.t("admin-day-kind"), kinds)
                .required()
                .hint(t.t("admin-day-kind-hint")),
            Input::text("name", t.t("admin-day-name"), &form.name, check::NAME_MAX).required(),
            Input::select("status", t.t("admin-day-status"), statuses)
                .hint(t.t("admin-day-status-hint")),
            Input::textarea("note", t.t("admin-day-note"), &form.note, check::NOTE_MAX),
        ]
    }

    fn extra(t: Tr, day: &NaiveDate) -> Vec<PostButton> {
        vec![PostButton::new(
            format!("{LIST}/{day}/delete"),
            t.t("admin-calendar-remove"),
        )]
    }

    /// The list of the year of the day edited, or of this year for a new one.
    fn back(key: Option<&NaiveDate>) -> String {
        let year = key.map(|d| d.year()).unwrap_or_else(this_year);
        format!("{LIST}?year={year}")
    }

    /// The list of the year of the day added or edited.
    fn done(input: &DayInput, done: &str) -> String {
        format!("{LIST}?year={}&done={done}", input.day.year())
    }
}

/// Removes a day.
pub async fn delete(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(day): Path<String>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let day = CalendarScreen::key(&day).ok_or(AppError::NotFound)?;
        let result = {
            let mut conn = state.pool.get().await?;
            calendar::delete(&mut conn, me.id, day).await
        };
        finish(
            &state,
            result,
            |_| format!("{LIST}?year={}&done=deleted", day.year()),
            |_| AppError::NotFound.into_response(),
        )
        .await
    })
    .await
}

/// `POST /staff/admin/calendar/propose`: adds the computed days of one missing holiday
/// (its `key`, from the admin home's warning) in one step, as official: the admin
/// confirms them by the click, having read them in the warning.
pub async fn add_proposal(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let key = fields.get("key").to_string();
        let today = local_date(chrono::Utc::now());
        let mut conn = state.pool.get().await?;
        let gaps = calendar::gaps(&mut conn, today).await?;
        let Some(proposal) = crate::domain::calendar_coverage::proposal_for(&gaps, &key) else {
            // Added meanwhile, or a made-up key: the calendar shows what it holds.
            return Ok(axum::response::Redirect::to(LIST).into_response());
        };
        let note = Tr::new(crate::i18n::Lang::Vi).t("calendar-gap-note");
        let days: Vec<DayInput> = proposal
            .iter()
            .map(|p| DayInput {
                day: p.day,
                kind: p.kind.as_str().to_string(),
                name: p.name.clone(),
                status: "official".into(),
                note: Some(note.clone()),
            })
            .collect();
        let year = days.first().map_or(today.year(), |d| d.day.year());
        let result = calendar::create_many(&mut conn, me.id, &days).await;
        drop(conn);
        finish(
            &state,
            result,
            |_| format!("{LIST}?year={year}&done=created"),
            |_| axum::response::Redirect::to(LIST).into_response(),
        )
        .await
    })
    .await
}
