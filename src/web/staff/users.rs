//! User administration (admins only): the list, creating an account, deactivating
//! (which ends all the user's sessions at once), reactivating, and setting a new
//! password. Every edit is written to `audit_log` with the row before and after.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;

use super::account::weak_message;
use super::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::auth::{Role, StaffUser, password, session_store};
use crate::db::audit::{self, AuditEntry};
use crate::db::users::{self, NewUser, UserRow};
use crate::domain::feedback::is_plausible_email;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::{RequestLang, Tr};
use crate::web::public::page;
use crate::web::{AppState, SharedState};

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
