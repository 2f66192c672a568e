//! `/staff/admin/contacts`: the published recipients notified by email and the
//! department's hotline entries, each flagged "cần xác minh" until an admin confirms it.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::view::{FormPage, Input, ListPage, ListRow, Opt};
use super::{Done, finish, flags, notice, on, spawned};
use crate::auth::StaffUser;
use crate::db::admin::contacts::{self, ContactInput, ContactRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::RequestLang;
use crate::web::staff::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::{AppState, SharedState};

const LIST: &str = "/staff/admin/contacts";

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "hotline" => "admin-contact-kind-hotline",
        _ => "admin-contact-kind-receiving",
    }
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let rows = {
        let mut conn = state.pool.get().await?;
        contacts::list(&mut conn).await?
    };
    let chrome = StaffChrome::new(&state, &lang, &me, LIST);
    let t = chrome.t;
    let rows = rows
        .into_iter()
        .map(|c| {
            let mut who = vec![t.pick(&c.title_vi, &c.title_en).to_string()];
            who.extend(c.person_name.clone());
            ListRow {
                id: format!("contact-{}", c.id),
                flags: flags(
                    t,
                    &[
                        (c.needs_verification, "admin-flag-needs-verification"),
                        (!c.active, "admin-flag-inactive"),
                    ],
                ),
                cells: vec![
                    who,
                    vec![c.code.clone()],
                    vec![t.t(kind_label(&c.kind))],
                    c.phones.clone(),
                    vec![c.email.clone().unwrap_or_default()],
                ],
                edit_href: Some(format!("{LIST}/{}", c.id)),
                inactive: !c.active,
                actions: Vec::new(),
            }
        })
        .collect();
    Ok(ListPage {
        heading: t.t("admin-contacts"),
        intro: Some(t.t("admin-contacts-intro")),
        new_link: Some((format!("{LIST}/new"), t.t("admin-contacts-new"))),
        notice: notice(t, &q.done),
        pages: Vec::new(),
        columns: vec![
            t.t("admin-contact-title"),
            t.t("admin-code"),
            t.t("admin-contact-kind"),
            t.t("admin-contact-phones"),
            t.t("admin-email"),
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
    kind: String,
    person_name: String,
    title_vi: String,
    title_en: String,
    phones: String,
    email: String,
    needs_verification: bool,
    active: bool,
    sort: String,
}

impl Form {
    fn read(f: &Fields) -> Form {
        Form {
            code: f.get("code").trim().to_string(),
            kind: f.get("kind").to_string(),
            person_name: f.get("person_name").to_string(),
            title_vi: f.get("title_vi").to_string(),
            title_en: f.get("title_en").to_string(),
            phones: f.get("phones").to_string(),
            email: f.get("email").to_string(),
            needs_verification: on(f, "needs_verification"),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn of(c: &ContactRow) -> Form {
        Form {
            code: c.code.clone(),
            kind: c.kind.clone(),
            person_name: c.person_name.clone().unwrap_or_default(),
            title_vi: c.title_vi.clone(),
            title_en: c.title_en.clone(),
            phones: c.phones.join(", "),
            email: c.email.clone().unwrap_or_default(),
            needs_verification: c.needs_verification,
            active: c.active,
            sort: c.sort.to_string(),
        }
    }

    fn parse(&self, creating: bool) -> Result<ContactInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = ContactInput {
            code: if creating {
                p.check("code", check::code(&self.code))
            } else {
                String::new()
            },
            kind: p
                .check("kind", check::choice(&self.kind, &check::CONTACT_KINDS))
                .to_string(),
            person_name: p.check(
                "person_name",
                check::optional(&self.person_name, check::NAME_MAX),
            ),
            title_vi: p.check("title_vi", check::required(&self.title_vi, check::NAME_MAX)),
            title_en: p.check("title_en", check::required(&self.title_en, check::NAME_MAX)),
            phones: p.check("phones", check::phones(&self.phones)),
            email: p.check("email", check::email(&self.email)),
            needs_verification: self.needs_verification,
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
    let kinds = check::CONTACT_KINDS
        .iter()
        .map(|k| Opt::new(*k, t.t(kind_label(k)), form.kind == *k))
        .collect();
    FormPage {
        heading: match id {
            Some(_) => t.t("admin-contacts-edit"),
            None => t.t("admin-contacts-new"),
        },
        intro: None,
        action,
        back: (LIST.to_string(), t.t("admin-contacts")),
        submit: t.t("admin-save"),
        inputs: vec![
            code,
            Input::select("kind", t.t("admin-contact-kind"), kinds)
                .hint(t.t("admin-contact-kind-hint")),
            Input::text(
                "title_vi",
                t.t("admin-contact-title-vi"),
                &form.title_vi,
                check::NAME_MAX,
            )
            .required(),
            Input::text(
                "title_en",
                t.t("admin-contact-title-en"),
                &form.title_en,
                check::NAME_MAX,
            )
            .required(),
            Input::text(
                "person_name",
                t.t("admin-contact-person"),
                &form.person_name,
                check::NAME_MAX,
            ),
            Input::text("phones", t.t("admin-contact-phones"), &form.phones, 200)
                .hint(t.t("admin-contact-phones-hint")),
            Input::email("email", t.t("admin-email"), &form.email)
                .hint(t.t("admin-contact-email-hint")),
            Input::number("sort", t.t("admin-sort"), &form.sort).hint(t.t("admin-sort-hint")),
            Input::checkbox(
                "needs_verification",
                t.t("admin-contact-needs-verification"),
                form.needs_verification,
            ),
            Input::checkbox("active", t.t("admin-active"), form.active),
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
        kind: "receiving".into(),
        needs_verification: true,
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
            contacts::create(&mut conn, me.id, &input).await
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
        contacts::find(&mut conn, id)
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
        let row = contacts::find(&mut conn, id)
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
        let result = contacts::update(&mut conn, me.id, id, &input).await;
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
