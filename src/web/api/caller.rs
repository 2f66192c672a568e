//! Who calls `/api/v1`: the client whose key comes in `Authorization: Bearer`. A missing,
//! malformed, unknown, wrong or revoked key is a 401 that reads nothing; a client
//! without the scope an endpoint needs gets a 403, and one past its calls a minute
//! (`api_clients.rate_per_min`) a 429 with `Retry-After`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};

use super::problem::Problem;
use crate::config::Limit;
use crate::db::api_clients::{self, ApiClient};
use crate::domain::api_key;
use crate::i18n::Lang;
use crate::web::kit::SharedState;
use crate::web::kit::accept_language::lang_of;
use crate::web::kit::rate_limit::Decision;

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
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                "out-of-scope",
                "api-problem-out-of-scope",
                self.lang,
            ))
        }
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
        let invalid = || unauthorized("invalid-key", "api-problem-invalid-key");
        let Some((key_id, secret)) = api_key::parse(given) else {
            return Err(invalid());
        };
        let mut conn =
            (state.pool.get().await).map_err(|e| Problem::unavailable(lang, "a connection", e))?;
        let found = api_clients::by_key_id(&mut conn, key_id)
            .await
            .map_err(|e| Problem::unavailable(lang, "reading the client", e))?;
        let Some((client, digest)) = found else {
            return Err(invalid());
        };
        if !api_key::verify(secret, &digest) || !client.enabled {
            return Err(invalid());
        }
        if let Err(e) = api_clients::touch(&mut conn, client.id).await {
            tracing::warn!(error = %e, "api: noting the client's use");
        }
        let limit = Limit {
            count: u32::try_from(client.rate_per_min).unwrap_or(1),
            window_secs: 60,
        };
        match state
            .rate_limit(&mut conn, "api_client", &client.id.to_string(), limit)
            .await
        {
            Ok(Decision::Allowed) => {}
            Ok(Decision::Limited { retry_after_secs }) => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "api-problem-rate-limited",
                    lang,
                );
                p.retry_after = Some(retry_after_secs);
                return Err(p);
            }
            // The limit is a guard, not a gate: a failed count lets the call through.
            Err(e) => tracing::warn!(error = %e, "api: counting the client's calls"),
        }
        Ok(Caller { client, lang })
    }
}
