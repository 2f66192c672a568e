//! User administration (admins only): the list, creating an account, editing its name,
//! roles and unit, deactivating (which ends all the user's sessions at once),
//! reactivating, and setting a new password; the roles that wait for a second admin's
//! approval, approved or turned down here. Every edit is written to `audit_log` with the
//! row before and after, and every change of roles is mailed to all admins.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::{StaffUser, password};
use crate::db::admin::Problem;
use crate::db::role_grants;
use crate::db::users::{self, UserRow};
use crate::domain::access::Role;
use crate::domain::calendar::format_datetime;
use crate::handling::Context;
use crate::handling::users::{self as accounts, NAME_MAX, NewAccount, Profile, Saved, UserError};
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::detached;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::form_view::{FormPage, Input, Opt};
use crate::web::kit::page;
use crate::web::kit::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::kit::{AppState, SharedState};

pub struct UserView {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub roles: String,
    pub unit: String,
    pub active: bool,
    pub is_self: bool,
}

/// A role request that waits for a second admin.
pub struct GrantView {
    pub id: i64,
    pub user: String,
    pub roles: String,
    pub requested_by: String,
    pub requested_at: String,
    /// The viewer may approve it (neither asked for it nor gets it).
    pub may_approve: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/users.html")]
struct UsersPage {
    chrome: StaffChrome,
    users: Vec<UserView>,
    grants: Vec<GrantView>,
    /// A refused decision on a request: (request id, message).
    grant_error: Option<(i64, String)>,
    /// A refused decision on a request no longer listed (decided meanwhile).
    page_error: Option<String>,
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

fn grant_view(t: Tr, grant: role_grants::OpenGrant, rows: &[UserRow], me: &StaffUser) -> GrantView {
    let user = rows
        .iter()
        .find(|u| u.id == grant.user_id)
        .map(|u| format!("{} ({})", u.name, u.email))
        .unwrap_or_default();
    GrantView {
        id: grant.id,
        user,
        roles: Role::parse_all(&grant.roles)
            .iter()
            .map(|r| t.t(r.label_id()))
            .collect::<Vec<_>>()
            .join(", "),
        requested_by: grant.requested_by_name,
        requested_at: format_datetime(grant.requested_at),
        may_approve: grant.requested_by != me.id && grant.user_id != me.id,
    }
}

/// What went wrong on the list: beside a user, or beside a role request.
enum ListError<'a> {
    User(i32, &'a str),
    Grant(i64, &'a str),
}

async fn render_list(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    notice: Option<&str>,
    error: Option<ListError<'_>>,
) -> AppResult<Response> {
    let (rows, grants) = {
        let mut conn = state.pool.get().await?;
        (
            users::list(&mut conn).await?,
            role_grants::open(&mut conn).await?,
        )
    };
    let chrome = StaffChrome::new(state, lang, me, "/staff/users");
    let t = chrome.t;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (user_error, grant_error) = match error {
        Some(ListError::User(id, msg)) => (Some((id, msg)), None),
        Some(ListError::Grant(id, msg)) => (None, Some((id, t.t(msg)))),
        None => (None, None),
    };
    let grants: Vec<GrantView> = grants
        .into_iter()
        .map(|g| grant_view(t, g, &rows, me))
        .collect();
    let page_error = match &grant_error {
        Some((id, msg)) if !grants.iter().any(|g| g.id == *id) => Some(msg.clone()),
        _ => None,
    };
    let body = UsersPage {
        grants,
        grant_error,
        page_error,
        users: rows.into_iter().map(|r| view(state, t, r, me)).collect(),
        notice: notice.map(|id| t.t(id)),
        error: user_error.map(|(id, msg)| (id, t.t1(msg, "min", password::MIN_LENGTH as i64))),
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
        Some("pending") => Some("users-done-pending"),
        Some("approved") => Some("users-done-approved"),
        Some("rejected") => Some("users-done-rejected"),
        _ => None,
    };
    render_list(&state, &lang, &me, notice, None).await
}

fn render_new(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    input: &NewAccount,
    problems: &[Problem],
) -> Response {
    let chrome = StaffChrome::new(state, lang, me, "/staff/users/new");
    let t = chrome.t;
    let reference = state.reference.get();
    let status = if problems.is_empty() {
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
        errors: problems
            .iter()
            .map(|p| (p.field, t.t1(p.message, "min", password::MIN_LENGTH as i64)))
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
    render_new(&state, &lang, &me, &NewAccount::default(), &[])
}

/// What the handlers answer with when the use case did not go through and no form is
/// shown again.
fn failed(e: UserError) -> AppError {
    match e {
        UserError::NotFound => AppError::NotFound,
        UserError::Pool(e) => e.into(),
        UserError::Database(e) => e.into(),
        UserError::Internal(e) => AppError::Internal(e.context("editing a user")),
        e @ (UserError::Invalid(_) | UserError::Refused(_)) => {
            AppError::Internal(anyhow::anyhow!("unanswered refusal: {e}"))
        }
    }
}

/// The new account as typed: the email normalised, the unit kept only if it may be
/// chosen (an active one).
fn new_account(state: &AppState, fields: &Fields) -> NewAccount {
    let reference = state.reference.get();
    NewAccount {
        email: users::normalise_email(fields.get("email")),
        name: fields.get("name").trim().to_string(),
        roles: Role::parse_all(&fields.all("roles")),
        unit_id: fields
            .get("unit")
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|id| reference.unit(*id).is_some_and(|u| u.active)),
    }
}

/// `POST /staff/users/new`; runs to its end even if the client goes away.
pub async fn create(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let account = new_account(&state, &fields);
        let password = fields.get("password");
        let reference = state.reference.get();
        let ctx = Context::now(&state.cfg, &reference);
        match accounts::create(&state.pool, &ctx, &me.access, &account, password).await {
            Ok((_, saved)) => {
                state.mail_wake.notify_one();
                let done = match saved {
                    Saved::Done => "created",
                    Saved::AwaitsApproval => "pending",
                };
                Ok(Redirect::to(&format!("/staff/users?done={done}")).into_response())
            }
            Err(UserError::Invalid(problems)) => {
                Ok(render_new(&state, &lang, &me, &account, &problems))
            }
            Err(e) => Err(failed(e)),
        }
    })
    .await
}

/// The answer to an edit from the list: back to it with `done`, or the list with the
/// refusal beside the user.
async fn listed(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    id: i32,
    result: Result<(), UserError>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/staff/users?done={done}")).into_response()),
        Err(UserError::Refused(msg)) => {
            render_list(state, lang, me, None, Some(ListError::User(id, msg))).await
        }
        Err(e) => Err(failed(e)),
    }
}

/// Deactivates an account (not one's own) and ends its sessions.
pub async fn deactivate(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let result = {
            let mut conn = state.pool.get().await?;
            accounts::deactivate(&mut conn, &me.access, id).await
        };
        listed(&state, &lang, &me, id, result, "deactivated").await
    })
    .await
}

pub async fn activate(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let mut conn = state.pool.get().await?;
        accounts::activate(&mut conn, &me.access, id)
            .await
            .map_err(failed)?;
        Ok(Redirect::to("/staff/users?done=activated").into_response())
    })
    .await
}

/// Sets a password typed by the admin; the user's sessions end.
pub async fn reset_password(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let password = fields.get("password");
        let result = accounts::reset_password(&state.pool, &me.access, id, password).await;
        listed(&state, &lang, &me, id, result, "reset").await
    })
    .await
}

fn render_edit(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    target: &UserRow,
    input: &Profile,
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
    let input = Profile {
        name: target.name.clone(),
        roles: Role::parse_all(&target.roles),
        unit_id: target.unit_id,
        unit_refused: false,
    };
    Ok(render_edit(&state, &lang, &me, &target, &input, &[]))
}

/// The profile as typed: the unit kept only if it may be chosen (an active one, or the
/// account's own even if inactive since).
fn profile_of(state: &AppState, fields: &Fields, target: &UserRow) -> Profile {
    let reference = state.reference.get();
    let unit_raw = fields.get("unit").trim();
    let unit_id = unit_raw.parse::<i32>().ok().filter(|u| {
        reference
            .unit(*u)
            .is_some_and(|unit| unit.active || Some(*u) == target.unit_id)
    });
    Profile {
        name: fields.get("name").trim().to_string(),
        roles: Role::parse_all(&fields.all("roles")),
        unit_id,
        unit_refused: !unit_raw.is_empty() && unit_id.is_none(),
    }
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
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let id = user_id(&id)?;
        let mut conn = state.pool.get().await?;
        let target = users::find(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let profile = profile_of(&state, &fields, &target);
        let reference = state.reference.get();
        let ctx = Context::now(&state.cfg, &reference);
        match accounts::update(&mut conn, &ctx, &me.access, id, &profile).await {
            Ok(saved) => {
                state.mail_wake.notify_one();
                let done = match saved {
                    Saved::Done => "updated",
                    Saved::AwaitsApproval => "pending",
                };
                Ok(Redirect::to(&format!("/staff/users?done={done}")).into_response())
            }
            Err(UserError::Invalid(problems)) => Ok(render_edit(
                &state, &lang, &me, &target, &profile, &problems,
            )),
            Err(e) => Err(failed(e)),
        }
    })
    .await
}

/// `POST /staff/users/grants/{id}/approve`: a second admin approves a waiting role.
pub async fn approve_grant(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    detached(decide(state, lang, me, id, fields, true)).await
}

/// `POST /staff/users/grants/{id}/reject`: any admin turns down a waiting role.
pub async fn reject_grant(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    detached(decide(state, lang, me, id, fields, false)).await
}

async fn decide(
    state: SharedState,
    lang: RequestLang,
    me: StaffUser,
    id: String,
    fields: Fields,
    approve: bool,
) -> AppResult<Response> {
    check_csrf(&me, fields.get("csrf"))?;
    let grant: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let reference = state.reference.get();
    let ctx = Context::now(&state.cfg, &reference);
    let result = {
        let mut conn = state.pool.get().await?;
        if approve {
            accounts::approve_grant(&mut conn, &ctx, &me.access, grant).await
        } else {
            accounts::reject_grant(&mut conn, &ctx, &me.access, grant).await
        }
    };
    match result {
        Ok(()) => {
            state.mail_wake.notify_one();
            let done = if approve { "approved" } else { "rejected" };
            Ok(Redirect::to(&format!("/staff/users?done={done}")).into_response())
        }
        Err(UserError::Refused(msg)) => {
            render_list(&state, &lang, &me, None, Some(ListError::Grant(grant, msg))).await
        }
        Err(e) => Err(failed(e)),
    }
}
