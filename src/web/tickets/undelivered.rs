//! The ticket page's "mail not delivered" card: recipients the mail server refused for
//! good, for any mail about this PAKN, with the server's answer. A mail still reaches
//! its other recipients (issue 13); this is where staff see who it did not reach, to
//! correct an address or tell the person another way.

use crate::domain::calendar::format_datetime;
use crate::i18n::Tr;
use crate::mail::outbox::Undelivered;

/// One refused recipient as the page shows it.
#[derive(Debug, Clone)]
pub struct UndeliveredView {
    pub what: String,
    pub address: String,
    pub reply: String,
    pub at: String,
}

/// What the card lists. Addresses (the citizen's among them) only for those who read
/// the PAKN's personal data; the others see that some mail did not go, and when.
pub fn views(t: &Tr, rows: &[Undelivered], reads: bool) -> Vec<UndeliveredView> {
    rows.iter()
        .map(|r| UndeliveredView {
            what: mail_kind(t, &r.kind),
            address: if reads {
                r.address.clone()
            } else {
                t.t("staff-undelivered-hidden")
            },
            reply: if reads {
                r.reply.clone()
            } else {
                String::new()
            },
            at: format_datetime(r.refused_at),
        })
        .collect()
}

/// The name of a kind of mail (`ack`, `notify`, `published`, `update.<event>`, …).
fn mail_kind(t: &Tr, kind: &str) -> String {
    if let Some(event) = kind.strip_prefix("update.") {
        let id = format!("event-{}", event.replace('_', "-"));
        if t.has(&id) {
            return t.t1("mail-kind-update", "event", t.t(&id));
        }
    }
    let id = format!("mail-kind-{}", kind.replace(['_', '.'], "-"));
    if t.has(&id) {
        t.t(&id)
    } else {
        kind.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use chrono::{TimeZone, Utc};

    fn row(kind: &str) -> Undelivered {
        Undelivered {
            outbox_id: 1,
            kind: kind.into(),
            address: "old@example.gov.vn".into(),
            reply: "attempt 1: 550 5.1.1 Mailbox unavailable".into(),
            refused_at: Utc
                .with_ymd_and_hms(2026, 12, 4, 2, 5, 0)
                .single()
                .expect("a time"),
        }
    }

    #[test]
    fn every_kind_has_a_name_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let t = Tr::new(lang);
            for kind in ["ack", "notify", "published", "update.approve"] {
                let name = mail_kind(&t, kind);
                assert_ne!(name, kind, "{kind} in {lang:?}");
                assert!(!name.contains("mail-kind"), "{name}");
            }
        }
    }

    #[test]
    fn addresses_are_for_readers_only_and_times_are_local() {
        let t = Tr::new(Lang::Vi);
        let shown = views(&t, &[row("notify")], true);
        assert_eq!(shown[0].address, "old@example.gov.vn");
        assert_eq!(shown[0].at, "09:05 04/12/2026");
        let hidden = views(&t, &[row("notify")], false);
        assert!(!hidden[0].address.contains('@'));
        assert!(hidden[0].reply.is_empty());
    }
}
