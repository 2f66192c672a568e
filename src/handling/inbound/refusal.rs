//! The reply to a message pakn cannot take (too large, too many files): one short
//! mail to its sender, in Vietnamese then English (the sender's language is unknown),
//! saying why and what to do instead. Automatic mail never gets one, and the
//! per-sender limit stops any loop before it.

use diesel_async::AsyncPgConnection;

use super::Desk;
use crate::domain::attachment::size_text;
use crate::handling::HandlingError;
use crate::i18n::{Lang, Tr};
use crate::mail::inbound::parse::ParsedMail;
use crate::mail::{self, OutgoingMail};

/// The kind of outbox row of a refusal.
pub const KIND_INBOUND_REFUSAL: &str = "inbound_refusal";

/// Why a message was refused.
#[derive(Debug, Clone, Copy)]
pub enum Why {
    /// Its size in bytes.
    TooLarge(i32),
    TooManyFiles,
}

fn paragraph(t: &Tr, desk: &Desk<'_>, why: Why, parsed: &ParsedMail) -> String {
    let cfg = desk.ctx.cfg;
    let url = format!("{}/", cfg.server.public_url.trim_end_matches('/'));
    let reason = match why {
        Why::TooLarge(size) => t.tn(
            "inbound-refusal-too-large",
            vec![
                ("size", size_text(i64::from(size)).into()),
                ("max", size_text(cfg.mail.inbound.max_bytes as i64).into()),
            ],
        ),
        Why::TooManyFiles => t.tn(
            "inbound-refusal-too-many",
            vec![
                ("count", (parsed.attachments.len() as i64).into()),
                ("max", (cfg.mail.inbound.max_attachments as i64).into()),
            ],
        ),
    };
    format!(
        "{}\n\n{}\n\n{}",
        reason,
        t.t1("inbound-refusal-instead", "url", url),
        t.t("inbound-refusal-auto")
    )
}

/// Queues the refusal to the sender of `parsed` (nothing when it has no address).
pub async fn refuse(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    parsed: &ParsedMail,
    why: Why,
) -> Result<(), HandlingError> {
    let Some(to) = parsed.from.clone() else {
        return Ok(());
    };
    let (vi, en) = (Tr::new(Lang::Vi), Tr::new(Lang::En));
    let subject = format!(
        "{} / {}",
        vi.t("inbound-refusal-subject"),
        en.t("inbound-refusal-subject")
    );
    let body_text = format!(
        "{}\n\n----\n\n{}\n",
        paragraph(&vi, desk, why, parsed),
        paragraph(&en, desk, why, parsed)
    );
    let mail = OutgoingMail {
        kind: KIND_INBOUND_REFUSAL.into(),
        ticket_id: None,
        to: vec![to],
        cc: Vec::new(),
        lang: Lang::Vi.code().into(),
        subject,
        body_text,
        body_html: None,
        attachment_ids: Vec::new(),
    };
    mail::enqueue(conn, mail).await?;
    Ok(())
}
