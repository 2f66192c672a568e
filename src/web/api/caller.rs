//! Who calls `/api/v1`: the client whose key comes in `Authorization: Bearer`. A missing,
//! malformed, unknown, wrong or revoked key is a 401 that reads nothing; a client
//! without the scope an endpoint needs gets a 403, and one past its calls a minute
//! (`api_clients.rate_per_min`) a 429 with `Retry-After`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};

use super::problem::Problem;
use crate::auth::StaffUser;
use crate::db::api_clients::ApiClient;
use crate::db::users;
use crate::domain::access::Access;
use crate::i18n::Lang;
use crate::web::kit::AppState;
use crate::web::kit::SharedState;
use crate::web::kit::accept_language::lang_of;
use crate::web::kit::api_client::{self, KeyRefusal};

/// The scope of clients that act as a staff account.
pub const STAFF: &str = "staff";

/// The client of a request, its key checked.
pub struct Caller {
    pub client: ApiClient,
    pub lang: Lang,
}

impl Caller {
    /// 403 unless the client holds `scope`.
    pub fn needs(&self, scope: &str) -> Result<(), Problem> {
        if self.client.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(Problem::out_of_scope(self.lang))
        }
    }
}

impl Caller {
    /// The access of the staff account a `staff` client acts as: 403 without the scope,
    /// without an account, or when the account no longer reads PAKN (deactivated, or its
    /// roles changed).
    pub async fn staff(&self, state: &AppState) -> Result<Access, Problem> {
        self.needs(STAFF)?;
        let forbidden = || Problem::out_of_scope(self.lang);
        let user_id = self.client.acts_as.ok_or_else(forbidden)?;
        let mut conn = (state.pool.get().await)
            .map_err(|e| Problem::unavailable(self.lang, "a connection", e))?;
        let user = users::find(&mut conn, user_id)
            .await
            .map_err(|e| Problem::unavailable(self.lang, "reading the account", e))?
            .filter(|u| u.active)
            .ok_or_else(forbidden)?;
        let access = StaffUser::from_row(user, String::new()).access;
        if !access.reads_tickets() {
            return Err(forbidden());
        }
        Ok(access)
    }
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Caller, Problem> {
        let lang = lang_of(&parts.headers);
        let unauthorized = |kind, title| Problem::new(StatusCode::UNAUTHORIZED, kind, title, lang);
        let Some(given) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return Err(unauthorized("missing-key", "api-problem-missing-key"));
        };
        match api_client::authenticate(state, given).await {
            Ok(client) => Ok(Caller { client, lang }),
            Err(KeyRefusal::Invalid) => Err(unauthorized("invalid-key", "api-problem-invalid-key")),
            Err(KeyRefusal::Limited { retry_after_secs }) => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "api-problem-rate-limited",
                    lang,
                );
                p.retry_after = Some(retry_after_secs);
                Err(p)
            }
            Err(KeyRefusal::Unavailable) => Err(Problem::busy(lang)),
        }
    }
}
