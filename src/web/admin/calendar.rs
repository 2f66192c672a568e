//! `/staff/admin/calendar`: the exceptions to the Monday–Friday week, a year at a time:
//! holidays, compensatory and swapped days off, make-up working days, each official
//! (announced) or expected (derived before the yearly notice, to confirm). Days can be
//! added, edited and removed; deadlines of new PAKN follow at once.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::view::{FormPage, Input, ListPage, ListRow, Opt, PostButton};
use super::{finish, notice, spawned};
use crate::auth::StaffUser;
use crate::db::admin::calendar::{self, DayInput, DayRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::domain::calendar::{DayKind, format_date, local_date};
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::{RequestLang, Tr};
use crate::web::staff::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::{AppState, SharedState};

const LIST: &str = "/staff/admin/calendar";

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

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    year: Option<String>,
    done: Option<String>,
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(this_year);
    let rows = {
        let mut conn = state.pool.get().await?;
        calendar::year(&mut conn, year).await?
    };
    let chrome = StaffChrome::new(&state, &lang, &me, LIST);
    let t = chrome.t;
    let rows = rows
        .into_iter()
        .map(|d| ListRow {
            id: format!("day-{}", d.day),
            flags: Vec::new(),
            cells: vec![
                vec![format_date(d.day), weekday(t, d.day)],
                vec![t.t(&kind_label(&d.kind))],
                vec![d.name.clone()],
                vec![t.t(&status_label(&d.status))],
                vec![d.note.clone().unwrap_or_default()],
            ],
            edit_href: Some(format!("{LIST}/{}", d.day)),
            inactive: false,
            actions: Vec::new(),
        })
        .collect();
    let pages = (year - 1..=year + 1)
        .map(|y| (format!("{LIST}?year={y}"), y.to_string(), y == year))
        .collect();
    Ok(ListPage {
        heading: t.t1("admin-calendar-year", "value", year.to_string()),
        intro: Some(t.t("admin-calendar-intro")),
        new_link: Some((format!("{LIST}/new?year={year}"), t.t("admin-calendar-new"))),
        notice: notice(t, &q.done),
        pages,
        columns: vec![
            t.t("admin-day-date"),
            t.t("admin-day-kind"),
            t.t("admin-day-name"),
            t.t("admin-day-status"),
            t.t("admin-day-note"),
        ],
        rows,
        empty: t.t("admin-calendar-empty"),
        chrome,
    }
    .render(&lang))
}

#[derive(Debug, Clone, Default)]
struct Form {
    day: String,
    kind: String,
    name: String,
    status: String,
    note: String,
}

impl Form {
    fn read(f: &Fields) -> Form {
        Form {
            day: f.get("day").trim().to_string(),
            kind: f.get("kind").to_string(),
            name: f.get("name").to_string(),
            status: f.get("status").to_string(),
            note: f.get("note").to_string(),
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

    fn parse(&self) -> Result<DayInput, Vec<Problem>> {
        let mut p = Problems::default();
        let day = check::date(&self.day);
        let kind = DayKind::parse(self.kind.trim());
        if self.kind.trim().is_empty() {
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
            name: p.check("name", check::required(&self.name, check::NAME_MAX)),
            status: p
                .check("status", check::choice(&self.status, &check::DAY_STATUSES))
                .to_string(),
            note: p.check("note", check::optional(&self.note, check::NOTE_MAX)),
        };
        if let Err(e) = day {
            p.push(Problem::input("day", e));
        }
        p.into_result(input)
    }
}

fn render(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    form: &Form,
    existing: Option<NaiveDate>,
    problems: &[Problem],
) -> Response {
    let action = match existing {
        Some(d) => format!("{LIST}/{d}"),
        None => format!("{LIST}/new"),
    };
    let chrome = StaffChrome::new(state, lang, me, &action);
    let t = chrome.t;
    let day = match existing {
        Some(d) => Input::readonly(
            "day",
            t.t("admin-day-date"),
            &format!("{} ({})", format_date(d), weekday(t, d)),
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
    let year = existing.map(|d| d.year()).unwrap_or_else(this_year);
    FormPage {
        heading: match existing {
            Some(_) => t.t("admin-calendar-edit"),
            None => t.t("admin-calendar-new"),
        },
        intro: None,
        action,
        back: (format!("{LIST}?year={year}"), t.t("admin-calendar")),
        submit: t.t("admin-save"),
        inputs: vec![
            day,
            Input::select("kind", t.t("admin-day-kind"), kinds)
                .required()
                .hint(t.t("admin-day-kind-hint")),
            Input::text("name", t.t("admin-day-name"), &form.name, check::NAME_MAX).required(),
            Input::select("status", t.t("admin-day-status"), statuses)
                .hint(t.t("admin-day-status-hint")),
            Input::textarea("note", t.t("admin-day-note"), &form.note, check::NOTE_MAX),
        ],
        errors: Vec::new(),
        extra: existing
            .map(|d| {
                vec![PostButton::new(
                    format!("{LIST}/{d}/delete"),
                    t.t("admin-calendar-remove"),
                )]
            })
            .unwrap_or_default(),
        chrome,
    }
    .render(lang, problems)
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    year: Option<String>,
}

pub async fn new_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(q): Query<NewQuery>,
) -> Response {
    // A start in the year being looked at, when it is not this one.
    let day = q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| *y != this_year() && (2000..=2100).contains(y))
        .map(|y| format!("01/01/{y}"))
        .unwrap_or_default();
    let form = Form {
        day,
        status: "official".into(),
        ..Form::default()
    };
    render(&state, &lang, &me, &form, None, &[])
}

pub async fn create(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> Response {
    spawned(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let form = Form::read(&fields);
        let input = match form.parse() {
            Ok(input) => input,
            Err(problems) => return Ok(render(&state, &lang, &me, &form, None, &problems)),
        };
        let result = {
            let mut conn = state.pool.get().await?;
            calendar::create(&mut conn, me.id, &input).await
        };
        let year = input.day.year();
        finish(
            &state,
            result,
            |_| format!("{LIST}?year={year}&done=created"),
            |problems| render(&state, &lang, &me, &form, None, problems),
        )
        .await
    })
    .await
}

fn day_of(raw: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| AppError::NotFound)
}

pub async fn edit_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(day): Path<String>,
) -> AppResult<Response> {
    let day = day_of(&day)?;
    let row = {
        let mut conn = state.pool.get().await?;
        calendar::find(&mut conn, day)
            .await?
            .ok_or(AppError::NotFound)?
    };
    Ok(render(&state, &lang, &me, &Form::of(&row), Some(day), &[]))
}

pub async fn update(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(day): Path<String>,
    fields: Fields,
) -> Response {
    spawned(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let day = day_of(&day)?;
        let form = Form {
            day: format_date(day),
            ..Form::read(&fields)
        };
        let input = match form.parse() {
            Ok(input) => input,
            Err(problems) => return Ok(render(&state, &lang, &me, &form, Some(day), &problems)),
        };
        let result = {
            let mut conn = state.pool.get().await?;
            calendar::update(&mut conn, me.id, day, &input).await
        };
        finish(
            &state,
            result,
            |_| format!("{LIST}?year={}&done=updated", day.year()),
            |problems| render(&state, &lang, &me, &form, Some(day), problems),
        )
        .await
    })
    .await
}

pub async fn delete(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(day): Path<String>,
    fields: Fields,
) -> Response {
    spawned(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let day = day_of(&day)?;
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
