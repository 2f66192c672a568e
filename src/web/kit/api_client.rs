//! What the machine interfaces share (`/api/v1` and Open311, which never import one
//! another): checking a client's key, and filing a PAKN on a citizen's behalf through the
//! form's checks, routing and mail, received on the client's channel. Each interface
//! words the outcome in its own format.

use chrono::{NaiveDate, Utc};

use crate::config::Limit;
use crate::db::api_clients::{self, ApiClient};
use crate::db::tickets;
use crate::domain::api_key;
use crate::domain::attachment::CheckedFile;
use crate::domain::feedback::{Channel, FeedbackValues, FieldErrors};
use crate::handling::filing::{self, FilingMeta, FilingOutcome};
use crate::i18n::Lang;
use crate::web::kit::AppState;
use crate::web::kit::rate_limit::Decision;

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
            return Err(KeyRefusal::Limited { retry_after_secs });
        }
        // The limit is a guard, not a gate: a failed count lets the call through.
        Err(e) => tracing::warn!(error = %e, "api: counting the client's calls"),
    }
    Ok(client)
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
    let mut conn = (state.pool.get().await).map_err(|e| unavailable("a connection", &e))?;
    let outcome = filing::file(
        &mut conn,
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
            drop(conn);
            state.mail_wake.notify_one();
            Ok(ClientFiled {
                created: true,
                code: code.as_str().to_string(),
                public_id,
                reply_due,
            })
        }
        FilingOutcome::AlreadyFiled { access_token } => {
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
