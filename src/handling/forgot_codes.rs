//! "Quên mã PAKN?": the codes and private links of every PAKN filed with an email, mailed
//! to that email. The mail goes only where PAKN exist and carries no text anyone typed
//! (codes, dates and links only), so a stranger who types someone's address learns
//! nothing and can make them receive nothing but their own links. How often one address
//! may be mailed, and one requester may ask, is bounded by the caller's rate limits.

use diesel_async::AsyncPgConnection;

use super::HandlingError;
use crate::config::Config;
use crate::db::track;
use crate::i18n::Lang;
use crate::mail::{self, citizen};

/// At most this many PAKN are listed in one mail (the newest).
pub const MAX_LISTED: i64 = 50;

/// Queues the mail listing the PAKN filed with `email`, in `lang`, when there are any;
/// returns how many mails were queued (0 or 1; wake the worker when 1).
pub async fn mail_codes(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    lang: Lang,
    email: &str,
) -> Result<usize, HandlingError> {
    let filed = track::filed_with_email(conn, email, MAX_LISTED).await?;
    if filed.is_empty() {
        return Ok(0);
    }
    let items: Vec<_> = filed
        .into_iter()
        .map(|f| (f.code, f.access_token, f.received_at))
        .collect();
    let mail = citizen::forgot_codes(cfg, lang, email, &items)
        .map_err(|e| HandlingError::Mail(e.into()))?;
    mail::enqueue(conn, mail).await?;
    Ok(1)
}
