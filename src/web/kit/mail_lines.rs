//! One mail of the outbox as a staff page lists it (the ticket page's mail card, the
//! admin page of mail in trouble): what it is, to whom, where it stands, and the mail
//! server's answers. Addresses are shown whole only to those who read the PAKN's
//! personal data; to the others they are masked, in the answers too.

use crate::domain::calendar::format_datetime;
use crate::domain::mail_state::{MailState, mask_address, redact};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::Tr;
use crate::mail::sight::MailLine;

/// One mail as a page shows it.
#[derive(Debug, Clone)]
pub struct MailLineView {
    pub id: i64,
    /// The PAKN's code as typed in its address, and as displayed.
    pub code: String,
    pub code_display: String,
    pub what: String,
    pub to: String,
    /// `queued`, `retrying`, `sent`, `failed`.
    pub state: &'static str,
    pub state_label: String,
    /// When it was queued, sent or given up; the attempts and the next one.
    pub when: String,
    /// The server's last answer (retrying, failed).
    pub answer: String,
    pub attempts: i32,
    /// Recipients refused for good, with the server's answer.
    pub refused: Vec<(String, String)>,
}

/// `line` for a reader who may (`reveal`) or may not see the addresses.
pub fn view(t: &Tr, line: &MailLine, reveal: bool) -> MailLineView {
    let address = |a: &String| {
        if reveal { a.clone() } else { mask_address(a) }
    };
    let text = |s: &str| if reveal { s.to_string() } else { redact(s) };
    let (when, answer) = match &line.state {
        MailState::Queued => (
            t.t1("mail-queued-at", "at", format_datetime(line.created_at)),
            String::new(),
        ),
        MailState::Retrying {
            attempts,
            next,
            error,
        } => (
            t.t2(
                "mail-retrying-detail",
                "attempts",
                i64::from(*attempts),
                "next",
                format_datetime(*next),
            ),
            text(error),
        ),
        MailState::Sent { at } => (
            t.t1("mail-sent-at", "at", format_datetime(*at)),
            String::new(),
        ),
        MailState::Failed { at, error } => (
            t.t1("mail-failed-at", "at", format_datetime(*at)),
            text(error),
        ),
    };
    // A mail nobody accepted has the refusal's answer as its own: said once.
    let answer = if line.refused.iter().any(|(_, r)| text(r) == answer) {
        String::new()
    } else {
        answer
    };
    let code = line.ticket_code.clone().unwrap_or_default();
    MailLineView {
        id: line.id,
        code_display: TrackingCode::parse(&code)
            .map(|c| c.display())
            .unwrap_or(code.clone()),
        code,
        what: mail_kind(t, &line.kind),
        to: line
            .to
            .iter()
            .chain(&line.cc)
            .map(address)
            .collect::<Vec<_>>()
            .join(", "),
        state: line.state.code(),
        state_label: t.t(&format!("mail-state-{}", line.state.code())),
        when,
        answer,
        attempts: line.attempts,
        refused: line
            .refused
            .iter()
            .map(|(a, r)| (address(a), text(r)))
            .collect(),
    }
}

/// The name of a kind of mail (`ack`, `notify`, `published`, `update.<event>`,
/// `reminder.<what>`, …); the kind itself when it has none.
pub fn mail_kind(t: &Tr, kind: &str) -> String {
    if let Some(event) = kind.strip_prefix("update.") {
        let id = format!("event-{}", event.replace('_', "-"));
        if t.has(&id) {
            return t.t1("mail-kind-update", "event", t.t(&id));
        }
    }
    let id = format!("mail-kind-{}", kind.replace(['_', '.'], "-"));
    if t.has(&id) {
        return t.t(&id);
    }
    let family = kind.split(['.', '_']).next().unwrap_or_default();
    let id = format!("mail-kind-{family}");
    if family != kind && t.has(&id) {
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

    fn line(state: MailState) -> MailLine {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 4, 2, 5, 0)
            .single()
            .expect("a time");
        MailLine {
            id: 7,
            ticket_id: Some(1),
            ticket_code: Some("ABCD1234XY".into()),
            kind: "ack".into(),
            to: vec!["hoa.nguyen@example.vn".into()],
            cc: Vec::new(),
            created_at: at,
            attempts: 1,
            state,
            refused: vec![(
                "hoa.nguyen@example.vn".into(),
                "attempt 1: 550 5.1.1 <hoa.nguyen@example.vn> unknown".into(),
            )],
        }
    }

    #[test]
    fn every_kind_has_a_name_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let t = Tr::new(lang);
            for kind in [
                "ack",
                "notify",
                "notify_staff",
                "notify_unit",
                "moved_unit",
                "moved_staff",
                "published",
                "new_link",
                "update.approve",
                "reminder.overdue",
                "forgot_codes",
                "privacy_answer",
            ] {
                let name = mail_kind(&t, kind);
                assert_ne!(name, kind, "{kind} in {lang:?}");
                assert!(!name.contains("mail-kind"), "{name}");
            }
            assert_eq!(mail_kind(&t, "something_new"), "something_new");
        }
    }

    #[test]
    fn addresses_are_for_readers_only_and_times_are_local() {
        let t = Tr::new(Lang::Vi);
        let at = Utc
            .with_ymd_and_hms(2026, 12, 4, 3, 0, 0)
            .single()
            .expect("a time");
        let failed = MailState::Failed {
            at,
            error: "attempt 2: 550 5.1.1 <hoa.nguyen@example.vn> unknown".into(),
        };
        let shown = view(&t, &line(failed.clone()), true);
        assert_eq!(shown.to, "hoa.nguyen@example.vn");
        assert!(shown.when.contains("10:00 04/12/2026"), "{}", shown.when);
        assert!(shown.answer.contains("<hoa.nguyen@example.vn>"));
        let refused = line(MailState::Failed {
            at,
            error: "attempt 1: 550 5.1.1 <hoa.nguyen@example.vn> unknown".into(),
        });
        assert!(
            view(&t, &refused, true).answer.is_empty(),
            "the refusal's answer is said once, with the refused address"
        );
        let hidden = view(&t, &line(failed), false);
        assert_eq!(hidden.to, "h***@example.vn");
        assert!(!hidden.answer.contains("hoa.nguyen"), "{}", hidden.answer);
        assert!(!hidden.refused[0].1.contains("hoa.nguyen"));
        assert_eq!(hidden.code_display, "ABCD-1234-XY");
        let retrying = MailState::Retrying {
            attempts: 2,
            next: at,
            error: "attempt 2: 451 later".into(),
        };
        let r = view(&t, &line(retrying), true);
        assert_eq!(r.state, "retrying");
        assert!(
            r.when.contains('2') && r.when.contains("10:00 04/12/2026"),
            "{}",
            r.when
        );
        let en = Tr::new(Lang::En);
        let once = MailState::Retrying {
            attempts: 1,
            next: at,
            error: String::new(),
        };
        assert_eq!(
            view(&en, &line(once), true).when,
            "Tried once; next attempt at 10:00 04/12/2026"
        );
        let twice = MailState::Retrying {
            attempts: 2,
            next: at,
            error: String::new(),
        };
        let twice = view(&en, &line(twice), true).when;
        assert!(twice.starts_with("Tried 2 times"), "{twice}");
    }
}
