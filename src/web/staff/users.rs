//! User administration (admins only): the list, creating an account, editing its name,
//! roles and unit, deactivating (which ends all the user's sessions at once),
//! reactivating, and setting a new password. Every edit is written to `audit_log` with the row before and after.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;

use super::account::weak_message;
use crate::auth::{StaffUser, password, session_store};
use crate::db::admin::Problem;
use crate::db::audit::{self, AuditEntry};
use crate::db::users::{self, NewUser, UserRow};
use crate::domain::access::Role;
use crate::domain::feedback::is_plausible_email;
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::form_view::{FormPage, Input, Opt};
use crate::web::kit::page;
use crate::web::kit::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::kit::{AppState, SharedState};

const NAME_MAX: usize = 200;

pub struct UserView {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub roles: String,
    pub unit: String,
    pub active: bool,
    pub is_self: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/users.html")]
struct UsersPage {
    chrome: StaffChrome,
    users: Vec<UserView>,
    notice: Option<String>,
    /// A refused password reset: (user id, message).
    error: Option<(i32, String)>,
    min_length: usize,
}

pub struct Choice<V> {
    pub value: V,
    pub label: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/user_new.html")]
struct NewUserPage {
    chrome: StaffChrome,
    email: String,
    name: String,
    roles: Vec<Choice<&'static str>>,
    units: Vec<Choice<i32>>,
    min_length: usize,
    errors: Vec<(&'static str, String)>,
}

impl NewUserPage {
    fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

fn unit_name(state: &AppState, t: Tr, unit_id: Option<i32>) -> String {
    let reference = state.reference.get();
    unit_id
        .and_then(|id| reference.unit(id))
        .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
        .unwrap_or_default()
}

fn view(state: &AppState, t: Tr, row: UserRow, me: &StaffUser) -> UserView {
    UserView {
        roles: Role::parse_all(&row.roles)
            .iter()
            .map(|r| t.t(r.label_id()))
            .collect::<Vec<_>>()
            .join(", "),
        unit: unit_name(state, t, row.unit_id),
        is_self: row.id == me.id,
        id: row.id,
        email: row.email,
        name: row.name,
        active: row.active,
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

async fn render_list(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    notice: Option<&str>,
    error: Option<(i32, &str)>,
) -> AppResult<Response> {
    let rows = {
        let mut conn = state.pool.get().await?;
        users::list(&mut conn).await?
    };
    let chrome = StaffChrome::new(state, lang, me, "/staff/users");
    let t = chrome.t;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = UsersPage {
        users: rows.into_iter().map(|r| view(state, t, r, me)).collect(),
        notice: notice.map(|id| t.t(id)),
        error: error.map(|(id, msg)| (id, t.t1(msg, "min", password::MIN_LENGTH as i64))),
        min_length: password::MIN_LENGTH,
        chrome,
    };
    Ok((status, page(lang, body)).into_response())
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let notice = match q.done.as_deref() {
        Some("created") => Some("users-done-created"),
        Some("deactivated") => Some("users-done-deactivated"),
        Some("activated") => Some("users-done-activated"),
        Some("reset") => Some("users-done-reset"),
        Some("updated") => Some("admin-user-done-updated"),
        _ => None,
    };
    render_list(&state, &lang, &me, notice, None).await
}

/// The values of the new-user form, kept when it comes back with errors.
#[derive(Debug, Default)]
struct NewUserInput {
    email: String,
    name: String,
    roles: Vec<Role>,
    unit_id: Option<i32>,
}

fn render_new(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    input: &NewUserInput,
    errors: Vec<(&'static str, &'static str)>,
) -> Response {
    let chrome = StaffChrome::new(state, lang, me, "/staff/users/new");
    let t = chrome.t;
    let reference = state.reference.get();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = NewUserPage {
        email: input.email.clone(),
        name: input.name.clone(),
        roles: Role::ALL
            .into_iter()
            .map(|r| Choice {
                value: r.as_str(),
                label: t.t(r.label_id()),
                checked: input.roles.contains(&r),
            })
            .collect(),
        units: reference
            .units
            .iter()
            .filter(|u| u.active)
            .map(|u| Choice {
                value: u.id,
                label: t.pick(&u.name_vi, &u.name_en).to_string(),
                checked: input.unit_id == Some(u.id),
            })
            .collect(),
        min_length: password::MIN_LENGTH,
        errors: errors
            .into_iter()
            .map(|(field, id)| (field, t.t1(id, "min", password::MIN_LENGTH as i64)))
            .collect(),
        chrome,
    };
    (status, page(lang, body)).into_response()
}

pub async fn new_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
) -> Response {
    render_new(&state, &lang, &me, &NewUserInput::default(), Vec::new())
}

/// The audited picture of an account (no password hash).
fn snapshot(row: &UserRow) -> Option<serde_json::Value> {
    serde_json::to_value(row).ok()
}

pub async fn create(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&me, fields.get("csrf"))?;
    let reference = state.reference.get();
    let mut errors: Vec<(&'static str, &'static str)> = Vec::new();
    let input = NewUserInput {
        email: users::normalise_email(fields.get("email")),
        name: fields.get("name").trim().to_string(),
        roles: Role::parse_all(&fields.all("roles")),
        unit_id: fields
            .get("unit")
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|id| reference.unit(*id).is_some_and(|u| u.active)),
    };
    let password = fields.get("password");
    if !is_plausible_email(&input.email) {
        errors.push(("email", "user-email-invalid"));
    }
    if input.name.is_empty() || input.name.chars().count() > NAME_MAX {
        errors.push(("name", "user-name-required"));
    }
    if input.roles.is_empty() {
        errors.push(("roles", "user-roles-required"));
    }
    if input.roles.contains(&Role::Officer) && input.unit_id.is_none() {
        errors.push(("unit", "user-unit-required"));
    }
    if let Err(weak) = password::check_strength(password, &input.email) {
        errors.push(("password", weak_message(weak)));
    }
    if !errors.is_empty() {
        return Ok(render_new(&state, &lang, &me, &input, errors));
    }

    let hash = password::hash(password).await.map_err(AppError::Internal)?;
    let new = NewUser {
        email: &input.email,
        name: &input.name,
        password_hash: &hash,
        roles: input.roles.iter().map(|r| r.as_str().to_string()).collect(),
        unit_id: input.unit_id,
    };
    let mut conn = state.pool.get().await?;
    let result = conn
        .transaction::<i32, DieselError, _>(async |conn| {
            let id = users::insert(conn, &new).await?;
            let after = users::find(conn, id).await?;
            audit::record(
                conn,
                AuditEntry {
                    user_id: me.id,
                    entity: "user",
                    entity_id: id.to_string(),
                    action: "create",
                    before: None,
                    after: after.as_ref().and_then(snapshot),
                },
            )
            .await?;
            Ok(id)
        })
        .await;
    match result {
        Ok(id) => {
            tracing::info!(admin = me.id, user_id = id, "user created");
            Ok(Redirect::to("/staff/users?done=created").into_response())
        }
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(render_new(
            &state,
            &lang,
            &me,
            &input,
            vec![("email", "user-email-taken")],
        )),
        Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _)) => Ok(render_new(
            &state,
            &lang,
            &me,
            &input,
            vec![("unit", "user-unit-required")],
        )),
        Err(e) => Err(e.into()),
    }
}

/// An edit of one account.
enum Edit<'a> {
    /// Deactivates and ends all the user's sessions.
    Deactivate,
    Activate,
    /// Sets a new password (hashed) and ends all the user's sessions.
    SetPassword(&'a str),
}

impl Edit<'_> {
    fn action(&self) -> &'static str {
        match self {
            Edit::Deactivate => "deactivate",
            Edit::Activate => "activate",
            Edit::SetPassword(_) => "reset_password",
        }
    }

    async fn apply(&self, conn: &mut AsyncPgConnection, id: i32) -> diesel::QueryResult<()> {
        match self {
            Edit::Deactivate => {
                users::set_active(conn, id, false).await?;
                session_store::delete_user_sessions(conn, id).await?;
            }
            Edit::Activate => {
                users::set_active(conn, id, true).await?;
            }
            Edit::SetPassword(hash) => {
                users::set_password(conn, id, hash).await?;
                session_store::delete_user_sessions(conn, id).await?;
            }
        }
        Ok(())
    }
}

/// Runs an edit of one user with its audit row, in one transaction; 404 when the user
/// does not exist.
async fn edit_user(state: &AppState, me: &StaffUser, id: i32, edit: Edit<'_>) -> AppResult<()> {
    let action = edit.action();
    let mut conn = state.pool.get().await?;
    let found = conn
        .transaction::<bool, DieselError, _>(async |conn| {
            let Some(before) = users::find(conn, id).await? else {
                return Ok(false);
            };
            edit.apply(conn, id).await?;
            let after = users::find(conn, id).await?;
            audit::record(
                conn,
                AuditEntry {
                    user_id: me.id,
                    entity: "user",
                    entity_id: id.to_string(),
                    action,
                    before: snapshot(&before),
                    after: after.as_ref().and_then(snapshot),
                },
            )
            .await?;
            Ok(true)
        })
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    tracing::info!(admin = me.id, user_id = id, action, "user edited");
    Ok(())
}

pub async fn deactivate(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&me, fields.get("csrf"))?;
    if id == me.id {
        return render_list(&state, &lang, &me, None, Some((id, "users-not-self"))).await;
    }
    edit_user(&state, &me, id, Edit::Deactivate).await?;
    Ok(Redirect::to("/staff/users?done=deactivated").into_response())
}

pub async fn activate(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&me, fields.get("csrf"))?;
    edit_user(&state, &me, id, Edit::Activate).await?;
    Ok(Redirect::to("/staff/users?done=activated").into_response())
}

/// Sets a password typed by the admin; the user's sessions end.
pub async fn reset_password(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&me, fields.get("csrf"))?;
    let target = {
        let mut conn = state.pool.get().await?;
        users::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let password = fields.get("password");
    if let Err(weak) = password::check_strength(password, &target.email) {
        return render_list(&state, &lang, &me, None, Some((id, weak_message(weak)))).await;
    }
    let hash = password::hash(password).await.map_err(AppError::Internal)?;
    edit_user(&state, &me, id, Edit::SetPassword(&hash)).await?;
    Ok(Redirect::to("/staff/users?done=reset").into_response())
}

/// The values of the edit form, kept when it comes back with errors.
#[derive(Debug, Default)]
struct EditInput {
    name: String,
    roles: Vec<Role>,
    unit_id: Option<i32>,
}

fn render_edit(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    target: &UserRow,
    input: &EditInput,
    problems: &[Problem],
) -> Response {
    let action = format!("/staff/users/{}", target.id);
    let chrome = StaffChrome::new(state, lang, me, &action);
    let t = chrome.t;
    let reference = state.reference.get();
    let roles = Role::ALL
        .into_iter()
        .map(|r| Opt::new(r.as_str(), t.t(r.label_id()), input.roles.contains(&r)))
        .collect();
    let mut units = vec![Opt::new("", t.t("user-unit-none"), input.unit_id.is_none())];
    units.extend(
        reference
            .units
            .iter()
            .filter(|u| u.active || Some(u.id) == input.unit_id || Some(u.id) == target.unit_id)
            .map(|u| {
                Opt::new(
                    u.id.to_string(),
                    t.pick(&u.name_vi, &u.name_en),
                    input.unit_id == Some(u.id),
                )
            }),
    );
    FormPage {
        heading: t.t("admin-user-edit"),
        intro: None,
        action,
        back: ("/staff/users".to_string(), t.t("users-heading")),
        submit: t.t("admin-save"),
        inputs: vec![
            Input::readonly("email", t.t("user-email"), &target.email),
            Input::text("name", t.t("user-name"), &input.name, NAME_MAX).required(),
            Input::checkboxes("roles", t.t("user-roles"), roles),
            Input::select("unit", t.t("user-unit"), units).hint(t.t("user-unit-hint")),
        ],
        errors: Vec::new(),
        extra: Vec::new(),
        chrome,
    }
    .render(lang, problems)
}

fn user_id(raw: &str) -> AppResult<i32> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// `GET /staff/users/{id}`: the form to change an account's name, roles and unit.
pub async fn edit_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = user_id(&id)?;
    let target = {
        let mut conn = state.pool.get().await?;
        users::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let input = EditInput {
        name: target.name.clone(),
        roles: Role::parse_all(&target.roles),
        unit_id: target.unit_id,
    };
    Ok(render_edit(&state, &lang, &me, &target, &input, &[]))
}

/// `POST /staff/users/{id}`: changes the name, roles and unit, with an audit row. An
/// admin cannot take the admin role from themself (nobody could give it back).
pub async fn update(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    crate::web::kit::detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let id = user_id(&id)?;
        let mut conn = state.pool.get().await?;
        let target = users::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let reference = state.reference.get();
        let unit_raw = fields.get("unit").trim();
        let input = EditInput {
            name: fields.get("name").trim().to_string(),
            roles: Role::parse_all(&fields.all("roles")),
            unit_id: unit_raw.parse::<i32>().ok().filter(|u| {
                reference
                    .unit(*u)
                    .is_some_and(|unit| unit.active || Some(*u) == target.unit_id)
            }),
        };
        let mut problems = Vec::new();
        if input.name.is_empty() || input.name.chars().count() > NAME_MAX {
            problems.push(Problem::new("name", "user-name-required"));
        }
        if input.roles.is_empty() {
            problems.push(Problem::new("roles", "user-roles-required"));
        }
        if !unit_raw.is_empty() && input.unit_id.is_none() {
            problems.push(Problem::new("unit", "admin-err-choice"));
        } else if input.roles.contains(&Role::Officer) && input.unit_id.is_none() {
            problems.push(Problem::new("unit", "user-unit-required"));
        }
        if id == me.id && !input.roles.contains(&Role::Admin) {
            problems.push(Problem::new("roles", "admin-user-keep-own-admin"));
        }
        if !problems.is_empty() {
            return Ok(render_edit(&state, &lang, &me, &target, &input, &problems));
        }
        let roles: Vec<String> = input.roles.iter().map(|r| r.as_str().to_string()).collect();
        let result = conn
            .transaction::<bool, DieselError, _>(async |conn| {
                let Some(before) = users::find(conn, id).await? else {
                    return Ok(false);
                };
                users::set_profile(conn, id, &input.name, &roles, input.unit_id).await?;
                let after = users::find(conn, id).await?;
                audit::record(
                    conn,
                    AuditEntry {
                        user_id: me.id,
                        entity: "user",
                        entity_id: id.to_string(),
                        action: "update",
                        before: snapshot(&before),
                        after: after.as_ref().and_then(snapshot),
                    },
                )
                .await?;
                Ok(true)
            })
            .await;
        match result {
            Ok(true) => {
                tracing::info!(admin = me.id, user_id = id, "user updated");
                Ok(Redirect::to("/staff/users?done=updated").into_response())
            }
            Ok(false) => Err(AppError::NotFound),
            Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _)) => {
                Ok(render_edit(
                    &state,
                    &lang,
                    &me,
                    &target,
                    &input,
                    &[Problem::new("unit", "user-unit-required")],
                ))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}
