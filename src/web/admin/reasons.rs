//! `/staff/admin/reasons`: refusal and closing reason templates, each with a purpose
//! (rejected, needs-info expired, out of scope, closed) and its Vietnamese and English
//! text.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::view::{FormPage, Input, ListPage, ListRow, Opt};
use super::{Done, finish, flags, notice, on, spawned};
use crate::auth::StaffUser;
use crate::db::admin::reasons::{self, ReasonInput, ReasonRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::RequestLang;
use crate::web::staff::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::{AppState, SharedState};

const LIST: &str = "/staff/admin/reasons";

/// The message id of a purpose's label.
fn purpose_label(purpose: &str) -> String {
    format!("admin-purpose-{}", purpose.replace('_', "-"))
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let rows = {
        let mut conn = state.pool.get().await?;
        reasons::list(&mut conn).await?
    };
    let chrome = StaffChrome::new(&state, &lang, &me, LIST);
    let t = chrome.t;
    let rows = rows
        .into_iter()
        .map(|r| ListRow {
            id: format!("reason-{}", r.id),
            flags: flags(t, &[(!r.active, "admin-flag-inactive")]),
            cells: vec![
                vec![t.t(&purpose_label(&r.purpose))],
                vec![r.code.clone()],
                vec![r.text_vi.clone(), r.text_en.clone()],
            ],
            edit_href: Some(format!("{LIST}/{}", r.id)),
            inactive: !r.active,
            actions: Vec::new(),
        })
        .collect();
    Ok(ListPage {
        heading: t.t("admin-reasons"),
        intro: Some(t.t("admin-reasons-intro")),
        new_link: Some((format!("{LIST}/new"), t.t("admin-reasons-new"))),
        notice: notice(t, &q.done),
        pages: Vec::new(),
        columns: vec![
            t.t("admin-reason-purpose"),
            t.t("admin-code"),
            t.t("admin-reason-text"),
        ],
        rows,
        empty: t.t("admin-empty"),
        chrome,
    }
    .render(&lang))
}

#[derive(Debug, Clone, Default)]
struct Form {
    code: String,
    purpose: String,
    text_vi: String,
    text_en: String,
    active: bool,
    sort: String,
}

impl Form {
    fn read(f: &Fields) -> Form {
        Form {
            code: f.get("code").trim().to_string(),
            purpose: f.get("purpose").to_string(),
            text_vi: f.get("text_vi").to_string(),
            text_en: f.get("text_en").to_string(),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn of(r: &ReasonRow) -> Form {
        Form {
            code: r.code.clone(),
            purpose: r.purpose.clone(),
            text_vi: r.text_vi.clone(),
            text_en: r.text_en.clone(),
            active: r.active,
            sort: r.sort.to_string(),
        }
    }

    fn parse(&self, creating: bool) -> Result<ReasonInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = ReasonInput {
            code: if creating {
                p.check("code", check::code(&self.code))
            } else {
                String::new()
            },
            purpose: p
                .check(
                    "purpose",
                    check::choice(&self.purpose, &check::REASON_PURPOSES),
                )
                .to_string(),
            text_vi: p.check("text_vi", check::required(&self.text_vi, check::REASON_MAX)),
            text_en: p.check("text_en", check::required(&self.text_en, check::REASON_MAX)),
            active: self.active,
            sort: p.check("sort", check::sort(&self.sort)),
        };
        p.into_result(input)
    }
}

fn render(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    form: &Form,
    id: Option<i32>,
    problems: &[Problem],
) -> Response {
    let action = match id {
        Some(id) => format!("{LIST}/{id}"),
        None => format!("{LIST}/new"),
    };
    let chrome = StaffChrome::new(state, lang, me, &action);
    let t = chrome.t;
    let code = match id {
        Some(_) => Input::readonly("code", t.t("admin-code"), &form.code),
        None => Input::text("code", t.t("admin-code"), &form.code, check::CODE_MAX)
            .required()
            .hint(t.t("admin-code-hint")),
    };
    let mut purposes = vec![Opt::new("", t.t("admin-choose"), form.purpose.is_empty())];
    purposes.extend(
        check::REASON_PURPOSES
            .iter()
            .map(|p| Opt::new(*p, t.t(&purpose_label(p)), form.purpose == *p)),
    );
    FormPage {
        heading: match id {
            Some(_) => t.t("admin-reasons-edit"),
            None => t.t("admin-reasons-new"),
        },
        intro: None,
        action,
        back: (LIST.to_string(), t.t("admin-reasons")),
        submit: t.t("admin-save"),
        inputs: vec![
            code,
            Input::select("purpose", t.t("admin-reason-purpose"), purposes).required(),
            Input::textarea(
                "text_vi",
                t.t("admin-reason-text-vi"),
                &form.text_vi,
                check::REASON_MAX,
            )
            .required(),
            Input::textarea(
                "text_en",
                t.t("admin-reason-text-en"),
                &form.text_en,
                check::REASON_MAX,
            )
            .required(),
            Input::number("sort", t.t("admin-sort"), &form.sort).hint(t.t("admin-sort-hint")),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-reason-active-hint")),
        ],
        errors: Vec::new(),
        extra: Vec::new(),
        chrome,
    }
    .render(lang, problems)
}

pub async fn new_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
) -> Response {
    let form = Form {
        active: true,
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
        let input = match form.parse(true) {
            Ok(input) => input,
            Err(problems) => return Ok(render(&state, &lang, &me, &form, None, &problems)),
        };
        let result = {
            let mut conn = state.pool.get().await?;
            reasons::create(&mut conn, me.id, &input).await
        };
        finish(
            &state,
            result,
            |_| format!("{LIST}?done=created"),
            |problems| render(&state, &lang, &me, &form, None, problems),
        )
        .await
    })
    .await
}

fn id_of(raw: &str) -> AppResult<i32> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub async fn edit_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let row = {
        let mut conn = state.pool.get().await?;
        reasons::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    Ok(render(&state, &lang, &me, &Form::of(&row), Some(id), &[]))
}

pub async fn update(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    spawned(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let id = id_of(&id)?;
        let mut conn = state.pool.get().await?;
        let row = reasons::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let form = Form {
            code: row.code,
            ..Form::read(&fields)
        };
        let input = match form.parse(false) {
            Ok(input) => input,
            Err(problems) => return Ok(render(&state, &lang, &me, &form, Some(id), &problems)),
        };
        let result = reasons::update(&mut conn, me.id, id, &input).await;
        drop(conn);
        finish(
            &state,
            result,
            |_| format!("{LIST}?done=updated"),
            |problems| render(&state, &lang, &me, &form, Some(id), problems),
        )
        .await
    })
    .await
}
