//! `/staff/admin/fields`: lĩnh vực, offered on the public form and stored on tickets by
//! code. A deactivated one leaves the form; tickets that have it still show its name.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::view::{FormPage, Input, ListPage, ListRow};
use super::{Done, finish, flags, notice, on, spawned};
use crate::auth::StaffUser;
use crate::db::admin::fields::{self, FieldInput, FieldRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::RequestLang;
use crate::web::staff::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::{AppState, SharedState};

const LIST: &str = "/staff/admin/fields";

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let rows = {
        let mut conn = state.pool.get().await?;
        fields::list(&mut conn).await?
    };
    let chrome = StaffChrome::new(&state, &lang, &me, LIST);
    let t = chrome.t;
    let rows = rows
        .into_iter()
        .map(|f| ListRow {
            id: format!("field-{}", f.code),
            flags: flags(t, &[(!f.active, "admin-flag-inactive")]),
            cells: vec![
                vec![f.name_vi.clone(), f.name_en.clone()],
                vec![f.code.clone()],
                vec![f.sort.to_string()],
            ],
            edit_href: Some(format!("{LIST}/{}", f.code)),
            inactive: !f.active,
            actions: Vec::new(),
        })
        .collect();
    Ok(ListPage {
        heading: t.t("admin-fields"),
        intro: Some(t.t("admin-fields-intro")),
        new_link: Some((format!("{LIST}/new"), t.t("admin-fields-new"))),
        notice: notice(t, &q.done),
        pages: Vec::new(),
        columns: vec![t.t("admin-name"), t.t("admin-code"), t.t("admin-sort")],
        rows,
        empty: t.t("admin-empty"),
        chrome,
    }
    .render(&lang))
}

#[derive(Debug, Clone, Default)]
struct Form {
    code: String,
    name_vi: String,
    name_en: String,
    keywords: String,
    active: bool,
    sort: String,
}

impl Form {
    fn read(f: &Fields) -> Form {
        Form {
            code: f.get("code").trim().to_string(),
            name_vi: f.get("name_vi").to_string(),
            name_en: f.get("name_en").to_string(),
            keywords: f.get("keywords").to_string(),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn of(r: &FieldRow) -> Form {
        Form {
            code: r.code.clone(),
            name_vi: r.name_vi.clone(),
            name_en: r.name_en.clone(),
            keywords: r.keywords.clone(),
            active: r.active,
            sort: r.sort.to_string(),
        }
    }

    fn parse(&self, creating: bool) -> Result<FieldInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = FieldInput {
            code: if creating {
                p.check("code", check::code(&self.code))
            } else {
                self.code.clone()
            },
            name_vi: p.check("name_vi", check::required(&self.name_vi, check::NAME_MAX)),
            name_en: p.check("name_en", check::required(&self.name_en, check::NAME_MAX)),
            keywords: p
                .check("keywords", check::optional(&self.keywords, check::NOTE_MAX))
                .unwrap_or_default(),
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
    editing: bool,
    problems: &[Problem],
) -> Response {
    let action = if editing {
        format!("{LIST}/{}", form.code)
    } else {
        format!("{LIST}/new")
    };
    let chrome = StaffChrome::new(state, lang, me, &action);
    let t = chrome.t;
    let code = if editing {
        Input::readonly("code", t.t("admin-code"), &form.code)
    } else {
        Input::text("code", t.t("admin-code"), &form.code, check::CODE_MAX)
            .required()
            .hint(t.t("admin-code-hint"))
    };
    FormPage {
        heading: if editing {
            t.t("admin-fields-edit")
        } else {
            t.t("admin-fields-new")
        },
        intro: None,
        action,
        back: (LIST.to_string(), t.t("admin-fields")),
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
            Input::textarea(
                "keywords",
                t.t("admin-field-keywords"),
                &form.keywords,
                check::NOTE_MAX,
            )
            .hint(t.t("admin-field-keywords-hint")),
            Input::number("sort", t.t("admin-sort"), &form.sort).hint(t.t("admin-sort-hint")),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-field-active-hint")),
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
    render(&state, &lang, &me, &form, false, &[])
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
            Err(problems) => return Ok(render(&state, &lang, &me, &form, false, &problems)),
        };
        let result = {
            let mut conn = state.pool.get().await?;
            fields::create(&mut conn, me.id, &input).await
        };
        finish(
            &state,
            result,
            |_| format!("{LIST}?done=created"),
            |problems| render(&state, &lang, &me, &form, false, problems),
        )
        .await
    })
    .await
}

pub async fn edit_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let row = {
        let mut conn = state.pool.get().await?;
        fields::find(&mut conn, &code)
            .await?
            .ok_or(AppError::NotFound)?
    };
    Ok(render(&state, &lang, &me, &Form::of(&row), true, &[]))
}

pub async fn update(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(code): Path<String>,
    fields: Fields,
) -> Response {
    spawned(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let mut conn = state.pool.get().await?;
        let row = fields::find(&mut conn, &code)
            .await?
            .ok_or(AppError::NotFound)?;
        let form = Form {
            code: row.code,
            ..Form::read(&fields)
        };
        let input = match form.parse(false) {
            Ok(input) => input,
            Err(problems) => return Ok(render(&state, &lang, &me, &form, true, &problems)),
        };
        let result = fields::update(&mut conn, me.id, &form.code, &input).await;
        drop(conn);
        finish(
            &state,
            result,
            |_| format!("{LIST}?done=updated"),
            |problems| render(&state, &lang, &me, &form, true, problems),
        )
        .await
    })
    .await
}
