//! What a staff session holds, and its life: begun only at a successful login (with a
//! new id), checked against the absolute timeout on every request, ended at logout.
//! The idle timeout is the session's expiry (`Expiry::OnInactivity`), renewed by every
//! request.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

pub use super::session_store::USER_ID_KEY;

/// Unix seconds of the login, for the absolute timeout.
pub const LOGIN_AT_KEY: &str = "login_at";
/// The per-session anti-forgery token every staff form carries as `csrf`.
pub const CSRF_KEY: &str = "csrf";
/// The name of the hidden field holding the session's token.
pub const CSRF_FIELD: &str = "csrf";
/// Set when the login passed a second factor.
pub const SECOND_FACTOR_KEY: &str = "second_factor";
/// The half-signed-in state (password right, second step to come): who, since when
/// (unix seconds), and which step. No [`USER_ID_KEY`] then, so no staff page opens.
pub const PENDING_USER_KEY: &str = "pending_user_id";
pub const PENDING_AT_KEY: &str = "pending_at";
pub const PENDING_STEP_KEY: &str = "pending_step";

/// What a live staff session says.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user_id: i32,
    pub login_at: i64,
    pub csrf: String,
    /// Whether the login passed a second factor.
    pub second_factor: bool,
}

/// What the half-signed-in session waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStep {
    /// A code (or a recovery code).
    Code,
    /// Enrolment, which the configuration requires of the user's roles.
    Enrol,
}

impl SecondStep {
    fn as_str(self) -> &'static str {
        match self {
            SecondStep::Code => "code",
            SecondStep::Enrol => "enrol",
        }
    }
}

/// A half-signed-in session.
#[derive(Debug, Clone)]
pub struct Pending {
    pub user_id: i32,
    pub since: i64,
    pub step: SecondStep,
    pub csrf: String,
}

/// A fresh random anti-forgery token.
pub fn new_csrf_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Starts a logged-in session for `user_id`: the id is cycled (the old session, if any,
/// is deleted), the login time and a new anti-forgery token stored. Saved by the session
/// layer when the response goes out.
pub async fn begin(session: &Session, user_id: i32) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.clear().await;
    session.insert(USER_ID_KEY, user_id).await?;
    session
        .insert(LOGIN_AT_KEY, chrono::Utc::now().timestamp())
        .await?;
    session.insert(CSRF_KEY, new_csrf_token()).await?;
    Ok(())
}

/// As [`begin`], for a login that passed a second factor.
pub async fn begin_verified(
    session: &Session,
    user_id: i32,
) -> Result<(), tower_sessions::session::Error> {
    begin(session, user_id).await?;
    session.insert(SECOND_FACTOR_KEY, true).await
}

/// Starts a half-signed-in session (id cycled, a new anti-forgery token) that waits for
/// `step`: nothing of the dashboard opens with it.
pub async fn begin_pending(
    session: &Session,
    user_id: i32,
    step: SecondStep,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.clear().await;
    session.insert(PENDING_USER_KEY, user_id).await?;
    session
        .insert(PENDING_AT_KEY, chrono::Utc::now().timestamp())
        .await?;
    session.insert(PENDING_STEP_KEY, step.as_str()).await?;
    session.insert(CSRF_KEY, new_csrf_token()).await?;
    Ok(())
}

/// The half-signed-in state, if that is what the session holds.
pub async fn pending(session: &Session) -> Result<Option<Pending>, tower_sessions::session::Error> {
    let Some(user_id) = session.get::<i32>(PENDING_USER_KEY).await? else {
        return Ok(None);
    };
    let step = match session.get::<String>(PENDING_STEP_KEY).await?.as_deref() {
        Some("enrol") => SecondStep::Enrol,
        _ => SecondStep::Code,
    };
    Ok(Some(Pending {
        user_id,
        since: session.get::<i64>(PENDING_AT_KEY).await?.unwrap_or(0),
        step,
        csrf: session.get::<String>(CSRF_KEY).await?.unwrap_or_default(),
    }))
}

/// Reads the session (one query when the request carries a session cookie, none
/// otherwise). `None` when nobody is logged in.
pub async fn info(
    session: &Session,
) -> Result<Option<SessionInfo>, tower_sessions::session::Error> {
    let Some(user_id) = session.get::<i32>(USER_ID_KEY).await? else {
        return Ok(None);
    };
    let login_at = session.get::<i64>(LOGIN_AT_KEY).await?.unwrap_or(0);
    let csrf = session.get::<String>(CSRF_KEY).await?.unwrap_or_default();
    let second_factor = session
        .get::<bool>(SECOND_FACTOR_KEY)
        .await?
        .unwrap_or(false);
    Ok(Some(SessionInfo {
        user_id,
        login_at,
        csrf,
        second_factor,
    }))
}

/// Whether a session begun at `login_at` has outlived the absolute timeout.
pub fn past_absolute_timeout(login_at: i64, now: i64, absolute_secs: i64) -> bool {
    now.saturating_sub(login_at) >= absolute_secs
}

/// Ends the session: its row is deleted and the cookie removed.
pub async fn end(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// Compares a submitted token with the session's in constant time; an empty session
/// token never matches.
pub fn tokens_match(expected: &str, submitted: &str) -> bool {
    !expected.is_empty()
        && expected.len() == submitted.len()
        && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens() {
        let a = new_csrf_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_csrf_token());
        assert!(tokens_match(&a, &a.clone()));
        assert!(!tokens_match(&a, &new_csrf_token()));
        assert!(!tokens_match(&a, ""));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn absolute_timeout() {
        assert!(!past_absolute_timeout(1000, 1009, 10));
        assert!(past_absolute_timeout(1000, 1010, 10));
        assert!(past_absolute_timeout(0, i64::MAX, 10));
    }
}
