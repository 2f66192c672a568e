//! `/staff/admin/units`: handling units (where officers work and PAKN are assigned).

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::view::{FormPage, Input, ListPage, ListRow};
use super::{Done, finish, flags, notice, on, spawned};
use crate::auth::StaffUser;
use crate::db::admin::units::{self, UnitInput, UnitRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::RequestLang;
use crate::web::staff::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::{AppState, SharedState};

const LIST: &str = "/staff/admin/units";

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let rows = {
        let mut conn = state.pool.get().await?;
        units::list(&mut conn).await?
    };
    let chrome = StaffChrome::new(&state, &lang, &me, LIST);
    let t = chrome.t;
    let rows = rows
        .into_iter()
        .map(|u| ListRow {
            id: format!("unit-{}", u.id),
            flags: flags(
                t,
                &[
                    (u.is_default, "admin-flag-default"),
                    (!u.active, "admin-flag-inactive"),
                ],
            ),
            cells: vec![
                vec![u.name_vi.clone(), u.name_en.clone()],
                vec![u.code.clone()],
                vec![u.email.clone().unwrap_or_default()],
                vec![u.sort.to_string()],
            ],
            edit_href: Some(format!("{LIST}/{}", u.id)),
            inactive: !u.active,
            actions: Vec::new(),
        })
        .collect();
    Ok(ListPage {
        heading: t.t("admin-units"),
        intro: Some(t.t("admin-units-intro")),
        new_link: Some((format!("{LIST}/new"), t.t("admin-units-new"))),
        notice: notice(t, &q.done),
        pages: Vec::new(),
        columns: vec![
            t.t("admin-name"),
            t.t("admin-code"),
            t.t("admin-email"),
            t.t("admin-sort"),
        ],
        rows,
        empty: t.t("admin-empty"),
        chrome,
    }
    .render(&lang))
}

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
struct Form {
    code: String,
    name_vi: String,
    name_en: String,
    email: String,
    is_default: bool,
    active: bool,
    sort: String,
}

impl Form {
    fn read(f: &Fields) -> Form {
        Form {
            code: f.get("code").trim().to_string(),
            name_vi: f.get("name_vi").to_string(),
            name_en: f.get("name_en").to_string(),
            email: f.get("email").to_string(),
            is_default: on(f, "is_default"),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn of(u: &UnitRow) -> Form {
        Form {
            code: u.code.clone(),
            name_vi: u.name_vi.clone(),
            name_en: u.name_en.clone(),
            email: u.email.clone().unwrap_or_default(),
            is_default: u.is_default,
            active: u.active,
            sort: u.sort.to_string(),
        }
    }

    fn parse(&self, creating: bool) -> Result<UnitInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = UnitInput {
            code: if creating {
                p.check("code", check::code(&self.code))
            } else {
                String::new()
            },
            name_vi: p.check("name_vi", check::required(&self.name_vi, check::NAME_MAX)),
            name_en: p.check("name_en", check::required(&self.name_en, check::NAME_MAX)),
            email: p.check("email", check::email(&self.email)),
            is_default: self.is_default,
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
    FormPage {
        heading: match id {
            Some(_) => t.t("admin-units-edit"),
            None => t.t("admin-units-new"),
        },
        intro: None,
        action,
        back: (LIST.to_string(), t.t("admin-units")),
        submit: t.t("admin-save"),
        inputs: vec![
            code,
            Input::text(
                "name_vi",
                t.t("admin-name-vi"),
                &form.name_vi,
                check::NAME_MAX,
            )
            .required(),
            Input::text(
                "name_en",
                t.t("admin-name-en"),
                &form.name_en,
                check::NAME_MAX,
            )
            .required(),
            Input::email("email", t.t("admin-email"), &form.email)
                .hint(t.t("admin-unit-email-hint")),
            Input::number("sort", t.t("admin-sort"), &form.sort).hint(t.t("admin-sort-hint")),
            Input::checkbox("is_default", t.t("admin-unit-default"), form.is_default)
                .hint(t.t("admin-unit-default-hint")),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-unit-active-hint")),
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
            units::create(&mut conn, me.id, &input).await
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
        units::find(&mut conn, id)
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
        let row = units::find(&mut conn, id)
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
        let result = units::update(&mut conn, me.id, id, &input).await;
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
