//! What the machine interfaces share (`/api/v1` and Open311, which never import one
//! another): checking a client's key, and filing a PAKN on a citizen's behalf through the
//! form's checks, routing and mail, received on the client's channel. Each interface
//! words the outcome in its own format.
//!
//! A call costs one indexed read of the client (so a revocation holds from the next
//! call, on every instance). Its calls a minute are counted in this instance's memory
//! ([`Calls`]), and its last use is written at most once a minute per instance: counted
//! in Postgres, every call of a busy client updated the same row, whose versions piled
//! up faster than they were pruned (2.3 ms of Postgres CPU per status read at 700 req/s,
//! `bench/issue20.sh`). With several instances behind a balancer a client may make up
//! to its rate on each.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};

use crate::db::api_clients::{self, ApiClient};
use crate::db::tickets;
use crate::domain::api_key;
use crate::domain::attachment::CheckedFile;
use crate::domain::feedback::{Channel, FeedbackValues, FieldErrors};
use crate::handling::filing::{self, FilingMeta, FilingOutcome};
use crate::i18n::Lang;
use crate::web::kit::AppState;

/// Why a key opened nothing.
#[derive(Debug)]
pub enum KeyRefusal {
    /// Malformed, unknown, wrong or revoked (all alike to the caller).
    Invalid,
    /// Past the client's calls a minute.
    Limited { retry_after_secs: u32 },
    /// The database failed (logged here, without the key).
    Unavailable,
}

/// The client whose key `given` is (`pakn_<key id>_<secret>`), its use noted and its
/// call counted against its rate.
pub async fn authenticate(state: &AppState, given: &str) -> Result<ApiClient, KeyRefusal> {
    let Some((key_id, secret)) = api_key::parse(given) else {
        return Err(KeyRefusal::Invalid);
    };
    let unavailable = |what: &str, e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, what, "api: the database failed");
        KeyRefusal::Unavailable
    };
    let mut conn = (state.pool.get().await).map_err(|e| unavailable("a connection", &e))?;
    let found = api_clients::by_key_id(&mut conn, key_id)
        .await
        .map_err(|e| unavailable("reading the client", &e))?;
    let Some((client, digest)) = found else {
        return Err(KeyRefusal::Invalid);
    };
    if !api_key::verify(secret, &digest) || !client.enabled {
        return Err(KeyRefusal::Invalid);
    }
    let (allowed, touch) = state
        .api_calls
        .count(client.id, client.rate_per_min, Instant::now());
    if touch && let Err(e) = api_clients::touch(&mut conn, client.id).await {
        tracing::warn!(error = %e, "api: noting the client's use");
    }
    if let Err(retry_after_secs) = allowed {
        metrics::counter!("pakn_rate_limit_refusals_total", "limit" => "api_client").increment(1);
        return Err(KeyRefusal::Limited { retry_after_secs });
    }
    Ok(client)
}

/// Each client's calls in the current minute on this instance, and when its use was
/// last written.
#[derive(Debug, Default)]
pub struct Calls {
    by_client: Mutex<HashMap<i32, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    calls: i64,
    touched: Option<Instant>,
}

/// How long a window of calls lasts, and how often a client's last use is written.
const WINDOW: Duration = Duration::from_secs(60);

impl Calls {
    /// Counts a call of `client` at `now`: whether it is within `per_min` (or the seconds
    /// until the window ends), and whether its last use is due to be written.
    pub fn count(&self, client: i32, per_min: i32, now: Instant) -> (Result<(), u32>, bool) {
        let mut map = self
            .by_client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let w = map.entry(client).or_insert(Window {
            started: now,
            calls: 0,
            touched: None,
        });
        if now.duration_since(w.started) >= WINDOW {
            w.started = now;
            w.calls = 0;
        }
        w.calls += 1;
        let touch = w.touched.is_none_or(|t| now.duration_since(t) >= WINDOW);
        if touch {
            w.touched = Some(now);
        }
        let allowed = if w.calls > i64::from(per_min.max(1)) {
            let left = WINDOW.saturating_sub(now.duration_since(w.started));
            Err(u32::try_from(left.as_secs().max(1)).unwrap_or(60))
        } else {
            Ok(())
        };
        (allowed, touch)
    }
}

/// A filing as a client sends it, in the interface's terms already mapped to the form's.
pub struct ClientFiling<'a> {
    pub values: FeedbackValues,
    /// The client's own key for this filing (sent again, it finds the first PAKN).
    pub key: &'a str,
    pub external_ref: Option<String>,
    pub external_ref_date: Option<NaiveDate>,
    pub files: &'a [CheckedFile],
    pub lang: Lang,
}

/// A PAKN the client filed (now or before, with the same key and content).
#[derive(Debug)]
pub struct ClientFiled {
    pub created: bool,
    pub code: String,
    pub public_id: String,
    pub reply_due: NaiveDate,
}

#[derive(Debug)]
pub enum ClientFilingError {
    /// The form's checks refused these fields.
    Invalid(FieldErrors),
    /// The key came before with other content.
    KeyReused,
    /// The database failed (logged here).
    Unavailable,
}

/// Files `filing` for `client`: validated as the form, routed, mailed (the mail worker is
/// woken), idempotent by the client's key.
pub async fn file_for(
    state: &AppState,
    client: &ApiClient,
    filing: ClientFiling<'_>,
) -> Result<ClientFiled, ClientFilingError> {
    let reference = state.reference.get();
    let valid = reference
        .validate_feedback(&filing.values)
        .map_err(ClientFilingError::Invalid)?;
    let unavailable = |what: &str, e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, what, "api: the database failed");
        ClientFilingError::Unavailable
    };
    let meta = FilingMeta {
        channel: Channel::parse(&client.channel).unwrap_or(Channel::Api),
        external_ref: filing.external_ref,
        external_ref_date: filing.external_ref_date,
        entered_by: None,
        lang: if filing.lang == Lang::En { "en" } else { "vi" }.to_string(),
        idempotency_key: Some(api_clients::filing_key(client.id, filing.key)),
        suspected_spam: false,
        spam_reasons: Vec::new(),
        received_at: Utc::now(),
        keep_stashed: Vec::new(),
        skip_acknowledgement: false,
    };
    let outcome = filing::file_grouped(
        &state.filings,
        &state.pool,
        &state.cfg,
        &reference,
        &valid,
        filing.files,
        &meta,
    )
    .await
    .map_err(|e| unavailable("storing a filing", &e))?;
    match outcome {
        FilingOutcome::Created {
            code,
            public_id,
            reply_due,
            ..
        } => {
            state.mail_wake.notify_one();
            Ok(ClientFiled {
                created: true,
                code: code.as_str().to_string(),
                public_id,
                reply_due,
            })
        }
        FilingOutcome::AlreadyFiled { access_token } => {
            let mut conn = (state.pool.get().await).map_err(|e| unavailable("a connection", &e))?;
            let first = tickets::receipt_by_access_token(&mut conn, &access_token)
                .await
                .map_err(|e| unavailable("finding the first filing", &e))?
                .ok_or_else(|| unavailable("finding the first filing", &"gone"))?;
            Ok(ClientFiled {
                created: false,
                code: first.code,
                public_id: first.public_id,
                reply_due: first.reply_due,
            })
        }
        FilingOutcome::TokenReused => Err(ClientFilingError::KeyReused),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_past_the_rate_wait_for_the_window() {
        let calls = Calls::default();
        let t0 = Instant::now();
        assert_eq!(calls.count(1, 2, t0), (Ok(()), true));
        assert_eq!(calls.count(1, 2, t0), (Ok(()), false));
        let (refused, _) = calls.count(1, 2, t0 + Duration::from_secs(20));
        assert_eq!(refused, Err(40));
        // Another client has its own count; a new window starts afresh.
        assert_eq!(calls.count(2, 2, t0).0, Ok(()));
        assert_eq!(calls.count(1, 2, t0 + WINDOW), (Ok(()), true));
    }
}
