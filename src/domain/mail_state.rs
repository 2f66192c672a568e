//! Where one mail of the outbox stands, as staff and citizens are told (issue 15, part
//! 6): queued and not tried yet, retrying after a refusal for now, sent, or failed for
//! good; and the server's answers with the addresses in them masked, for readers who
//! may not see the PAKN's personal data.

use chrono::{DateTime, Utc};

/// The stored facts of one outbox row that decide its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFacts {
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// Where a mail stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailState {
    /// Waiting for its first attempt.
    Queued,
    /// Refused for now (or the server was unreachable): tried again at `next`.
    Retrying {
        attempts: i32,
        next: DateTime<Utc>,
        error: String,
    },
    /// Accepted by the server for at least one recipient.
    Sent { at: DateTime<Utc> },
    /// Given up: nobody accepted it.
    Failed { at: DateTime<Utc>, error: String },
}

impl MailState {
    pub fn of(row: &RowFacts) -> MailState {
        let error = || row.last_error.clone().unwrap_or_default();
        if let Some(at) = row.sent_at {
            MailState::Sent { at }
        } else if let Some(at) = row.failed_at {
            MailState::Failed { at, error: error() }
        } else if row.attempts == 0 {
            MailState::Queued
        } else {
            MailState::Retrying {
                attempts: row.attempts,
                next: row.next_attempt_at,
                error: error(),
            }
        }
    }

    /// The code of the state (CSS classes, message ids): `queued`, `retrying`, `sent`,
    /// `failed`.
    pub fn code(&self) -> &'static str {
        match self {
            MailState::Queued => "queued",
            MailState::Retrying { .. } => "retrying",
            MailState::Sent { .. } => "sent",
            MailState::Failed { .. } => "failed",
        }
    }
}

/// What the citizen's receipt and track page say of the acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckState {
    /// None was queued (no email, the rate limit, or its row is gone).
    None,
    /// Queued or being retried: it will be mailed.
    Pending,
    Sent,
    /// Failed, or the citizen's address was refused for good.
    Failed,
}

impl AckState {
    /// The state of the acknowledgement from its row's state and whether the server
    /// refused its recipient for good.
    pub fn of(state: Option<&MailState>, refused: bool) -> AckState {
        match state {
            None => AckState::None,
            Some(MailState::Failed { .. }) => AckState::Failed,
            Some(_) if refused => AckState::Failed,
            Some(MailState::Sent { .. }) => AckState::Sent,
            Some(_) => AckState::Pending,
        }
    }
}

/// `text` with every address in it masked (`hoa.nguyen@example.vn` →
/// `h***@example.vn`): the server's answers often repeat the recipient.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('@') {
            out.push_str(&mask_word(word));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || "<>()[],;:\"'".contains(c) {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `local@domain` → `l***@domain`.
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

fn mask_word(word: &str) -> String {
    match word.rsplit_once('@') {
        Some((_, domain)) if !domain.is_empty() => {
            let local = &word[..word.len() - domain.len() - 1];
            mask_address(&format!("{}@{domain}", local.trim_start_matches('.')))
        }
        _ => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, h, 0, 0)
            .single()
            .expect("a time")
    }

    fn facts() -> RowFacts {
        RowFacts {
            attempts: 0,
            next_attempt_at: at(1),
            last_error: None,
            sent_at: None,
            failed_at: None,
        }
    }

    #[test]
    fn each_state_from_its_row() {
        assert_eq!(MailState::of(&facts()), MailState::Queued);
        let retrying = RowFacts {
            attempts: 2,
            next_attempt_at: at(3),
            last_error: Some("attempt 2: 451 later".into()),
            ..facts()
        };
        assert_eq!(
            MailState::of(&retrying),
            MailState::Retrying {
                attempts: 2,
                next: at(3),
                error: "attempt 2: 451 later".into()
            }
        );
        let sent = RowFacts {
            sent_at: Some(at(2)),
            attempts: 1,
            ..facts()
        };
        assert_eq!(MailState::of(&sent), MailState::Sent { at: at(2) });
        let failed = RowFacts {
            failed_at: Some(at(4)),
            attempts: 1,
            last_error: Some("attempt 1: 550 no".into()),
            ..facts()
        };
        assert_eq!(MailState::of(&failed).code(), "failed");
    }

    #[test]
    fn the_acknowledgement_fails_when_its_recipient_was_refused() {
        let sent = MailState::Sent { at: at(1) };
        assert_eq!(AckState::of(None, false), AckState::None);
        assert_eq!(
            AckState::of(Some(&MailState::Queued), false),
            AckState::Pending
        );
        assert_eq!(AckState::of(Some(&sent), false), AckState::Sent);
        assert_eq!(AckState::of(Some(&sent), true), AckState::Failed);
        let failed = MailState::Failed {
            at: at(1),
            error: String::new(),
        };
        assert_eq!(AckState::of(Some(&failed), false), AckState::Failed);
    }

    #[test]
    fn addresses_in_answers_are_masked() {
        assert_eq!(
            redact("attempt 1: 550 5.1.1 <hoa.nguyen@example.vn>: Recipient address rejected"),
            "attempt 1: 550 5.1.1 <h***@example.vn>: Recipient address rejected"
        );
        assert_eq!(redact("to a@b.vn, c@d.vn"), "to a***@b.vn, c***@d.vn");
        assert_eq!(redact("no address here"), "no address here");
        assert_eq!(mask_address("nobody"), "***");
    }
}
