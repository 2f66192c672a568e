//! `/staff/account`: one's own account, and changing one's own password (the current
//! one first; the new one long enough and not the email). Other sessions of the user end.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use diesel_async::AsyncConnection;
use tower_sessions::Session;

use crate::auth::password::{self, WeakPassword};
use crate::auth::{StaffUser, session_store};
use crate::db::audit::{self, AuditEntry};
use crate::db::users;
use crate::web::kit::RequestLang;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::page;
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Fields, StaffChrome, check_csrf};

#[derive(Template, WebTemplate)]
#[template(path = "staff/account.html")]
struct AccountPage {
    chrome: StaffChrome,
    email: String,
    unit: String,
    min_length: usize,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
}

impl AccountPage {
    fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

/// The message id of a refused new password.
pub fn weak_message(weak: WeakPassword) -> &'static str {
    match weak {
        WeakPassword::TooShort => "password-too-short",
        WeakPassword::IsEmail => "password-is-email",
    }
}

fn render(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    notice: Option<&str>,
    errors: Vec<(&'static str, &'static str)>,
) -> Response {
    let chrome = StaffChrome::new(state, lang, user, "/staff/account");
    let t = chrome.t;
    let reference = state.reference.get();
    let unit = user
        .access
        .unit_id
        .and_then(|id| reference.unit(id))
        .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
        .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = AccountPage {
        email: user.email.clone(),
        unit,
        min_length: password::MIN_LENGTH,
        notice: notice.map(|id| t.t(id)),
        errors: errors
            .into_iter()
            .map(|(field, id)| (field, t.t1(id, "min", password::MIN_LENGTH as i64)))
            .collect(),
        chrome,
    };
    (status, page(lang, body)).into_response()
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
) -> Response {
    render(&state, &lang, &user, None, Vec::new())
}

pub async fn change_password(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    session: Session,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&user, fields.get("csrf"))?;
    let current = fields.get("current_password");
    let new = fields.get("new_password");
    let confirm = fields.get("new_password_confirm");

    let mut errors: Vec<(&'static str, &'static str)> = Vec::new();
    if let Err(weak) = password::check_strength(new, &user.email) {
        errors.push(("new_password", weak_message(weak)));
    } else if new != confirm {
        errors.push(("new_password_confirm", "password-mismatch"));
    }
    let stored = {
        let mut conn = state.pool.get().await?;
        users::password_hash(&mut conn, user.id).await?
    };
    let current_ok = password::verify(current, stored.as_deref())
        .await
        .map_err(AppError::Internal)?;
    if !current_ok {
        errors.insert(0, ("current_password", "account-current-wrong"));
    }
    if !errors.is_empty() {
        return Ok(render(&state, &lang, &user, None, errors));
    }

    let hash = password::hash(new).await.map_err(AppError::Internal)?;
    let keep = session.id();
    let mut conn = state.pool.get().await?;
    conn.transaction::<(), diesel::result::Error, _>(async |conn| {
        users::set_password(conn, user.id, &hash).await?;
        session_store::delete_other_sessions(conn, user.id, keep).await?;
        audit::record(
            conn,
            AuditEntry {
                user_id: user.id,
                entity: "user",
                entity_id: user.id.to_string(),
                action: "change_own_password",
                before: None,
                after: None,
            },
        )
        .await
    })
    .await?;
    tracing::info!(user_id = user.id, "password changed");
    Ok(render(
        &state,
        &lang,
        &user,
        Some("account-password-changed"),
        Vec::new(),
    ))
}
