//! Publication (domain.md: "Publication is not a status"): when the public copy of a
//! PAKN may be saved and published, what it is prefilled with, and the checks on the
//! copy staff edit. The copy is masked by [`super::masking`]; this module decides.

use rand::Rng;

use super::fold::{clean_line, clean_text};
use super::masking::{Finding, Kind, Masker};
use super::status::Status;

/// Longest title of a public copy (characters).
pub const TITLE_MAX: usize = 300;
/// Longest question or answer of a public copy (characters).
pub const TEXT_MAX: usize = 30_000;

/// Length of a public answer's id.
pub const PUBLIC_ID_LEN: usize = 16;
/// Its alphabet: lower-case Crockford base32, in byte order.
pub const PUBLIC_ID_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A fresh public id for `/answers/{public_id}`: 80 random bits in lower-case Crockford
/// base32, not the tracking code, not a sequence (it tells nothing about the PAKN or
/// how many answers there are).
pub fn new_public_id<R: Rng + ?Sized>(rng: &mut R) -> String {
    (0..PUBLIC_ID_LEN)
        .map(|_| char::from(PUBLIC_ID_ALPHABET[rng.random_range(0..PUBLIC_ID_ALPHABET.len())]))
        .collect()
}

/// Whether `s` has the shape of a public id (checked before any lookup).
pub fn is_public_id(s: &str) -> bool {
    s.len() == PUBLIC_ID_LEN && s.bytes().all(|b| PUBLIC_ID_ALPHABET.contains(&b))
}

/// What decides whether a PAKN may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: Status,
    pub publish_consent: bool,
    pub confidential: bool,
    /// An official reply was approved (and so sent).
    pub has_approved_reply: bool,
}

/// Why a PAKN may not be published (each has a message `answers-refused-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Marked confidential (a tố cáo): never public.
    Confidential,
    /// Refused (từ chối tiếp nhận): never public.
    Rejected,
    /// Not within scope: never public.
    OutOfScope,
    /// The citizen did not agree to publication.
    NoConsent,
    /// Not answered (yet), or closed without an answer.
    NotAnswered,
    /// No official reply was approved.
    NoApprovedReply,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Confidential => "confidential",
            Refusal::Rejected => "rejected",
            Refusal::OutOfScope => "out-of-scope",
            Refusal::NoConsent => "no-consent",
            Refusal::NotAnswered => "not-answered",
            Refusal::NoApprovedReply => "no-approved-reply",
        }
    }

    /// The message id that explains the refusal.
    pub fn message_id(self) -> String {
        format!("answers-refused-{}", self.code())
    }
}

/// Whether a public copy may be saved or published: an answered PAKN (or one closed
/// after its answer) with the citizen's consent and an approved reply; never a refused,
/// out-of-scope or confidential one. Unpublishing is always allowed.
pub fn may_publish(f: &Facts) -> Result<(), Refusal> {
    if f.confidential {
        return Err(Refusal::Confidential);
    }
    match f.status {
        Status::Rejected => return Err(Refusal::Rejected),
        Status::OutOfScope => return Err(Refusal::OutOfScope),
        _ => {}
    }
    if !f.publish_consent {
        return Err(Refusal::NoConsent);
    }
    if !matches!(f.status, Status::Answered | Status::Closed) {
        return Err(Refusal::NotAnswered);
    }
    if !f.has_approved_reply {
        return Err(Refusal::NoApprovedReply);
    }
    Ok(())
}

/// The parts of a public copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copy {
    pub title: String,
    pub question: String,
    pub answer: String,
}

/// The first draft of a public copy, all masked: the ticket's title, its content (and
/// the proposal under `proposal_label`), the approved reply's text.
pub fn draft(
    masker: &Masker,
    title: &str,
    content: &str,
    proposal: Option<&str>,
    proposal_label: &str,
    reply: &str,
) -> Copy {
    let mut question = clean_text(content);
    if let Some(p) = proposal.map(clean_text).filter(|p| !p.is_empty()) {
        question = format!("{question}\n\n{proposal_label}:\n{p}");
    }
    Copy {
        title: masker.mask(&clean_line(title)),
        question: masker.mask(&question),
        answer: masker.mask(&clean_text(reply)),
    }
}

/// What is wrong with an edited copy, per field (`title`, `question`, `answer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyError {
    Empty,
    TooLong,
}

/// Cleans an edited copy (NFC, whitespace) and checks its lengths.
pub fn clean(title: &str, question: &str, answer: &str) -> (Copy, Vec<(&'static str, CopyError)>) {
    let copy = Copy {
        title: clean_line(title),
        question: clean_text(question),
        answer: clean_text(answer),
    };
    let mut errors = Vec::new();
    for (name, value, max) in [
        ("title", &copy.title, TITLE_MAX),
        ("question", &copy.question, TEXT_MAX),
        ("answer", &copy.answer, TEXT_MAX),
    ] {
        if value.is_empty() {
            errors.push((name, CopyError::Empty));
        } else if value.chars().count() > max {
            errors.push((name, CopyError::TooLong));
        }
    }
    (copy, errors)
}

/// Personal data left in a copy: the sender's own details (which block publication)
/// and other details of a personal shape (which staff are warned about: a published
/// hotline may be meant to stay).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Leftovers {
    /// Kinds of the sender's own details still present.
    pub own: Vec<Kind>,
    /// The other details found, as written (deduplicated).
    pub other: Vec<String>,
}

impl Leftovers {
    pub fn is_clean(&self) -> bool {
        self.own.is_empty() && self.other.is_empty()
    }
}

/// Looks for personal data in an edited copy.
pub fn leftovers(masker: &Masker, copy: &Copy) -> Leftovers {
    let mut out = Leftovers::default();
    for text in [&copy.title, &copy.question, &copy.answer] {
        if masker.holds_sender_phone(text) && !out.own.contains(&Kind::Phone) {
            out.own.push(Kind::Phone);
        }
        let findings: Vec<Finding> = masker.findings(text);
        for f in findings {
            if f.given {
                if !out.own.contains(&f.kind) {
                    out.own.push(f.kind);
                }
            } else {
                let s = text[f.start..f.end].to_string();
                if !out.other.contains(&s) {
                    out.other.push(s);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::masking::{MASK, PersonalData};

    fn facts(status: Status) -> Facts {
        Facts {
            status,
            publish_consent: true,
            confidential: false,
            has_approved_reply: true,
        }
    }

    #[test]
    fn only_answered_consented_approved_and_open_pakn_are_published() {
        assert_eq!(may_publish(&facts(Status::Answered)), Ok(()));
        assert_eq!(may_publish(&facts(Status::Closed)), Ok(()));
        let no_consent = Facts {
            publish_consent: false,
            ..facts(Status::Answered)
        };
        assert_eq!(may_publish(&no_consent), Err(Refusal::NoConsent));
        let confidential = Facts {
            confidential: true,
            ..facts(Status::Answered)
        };
        assert_eq!(may_publish(&confidential), Err(Refusal::Confidential));
        assert_eq!(
            may_publish(&facts(Status::OutOfScope)),
            Err(Refusal::OutOfScope)
        );
        assert_eq!(
            may_publish(&facts(Status::Rejected)),
            Err(Refusal::Rejected)
        );
        for s in [
            Status::Submitted,
            Status::NeedsInfo,
            Status::Accepted,
            Status::Transferred,
            Status::InProgress,
            Status::PendingApproval,
        ] {
            assert_eq!(may_publish(&facts(s)), Err(Refusal::NotAnswered), "{s:?}");
        }
        let no_reply = Facts {
            has_approved_reply: false,
            ..facts(Status::Closed)
        };
        assert_eq!(may_publish(&no_reply), Err(Refusal::NoApprovedReply));
        // Out of scope wins over a missing consent: the reason that never changes.
        let oos = Facts {
            publish_consent: false,
            ..facts(Status::OutOfScope)
        };
        assert_eq!(may_publish(&oos), Err(Refusal::OutOfScope));
        assert_eq!(
            Refusal::OutOfScope.message_id(),
            "answers-refused-out-of-scope"
        );
    }

    #[test]
    fn public_ids_are_random_and_checked() {
        let mut rng = rand::rng();
        let a = new_public_id(&mut rng);
        let b = new_public_id(&mut rng);
        assert_ne!(a, b);
        assert!(is_public_id(&a) && is_public_id(&b));
        assert!(!is_public_id("ABCDEFGHJKMNPQRS"));
        assert!(!is_public_id("0123456789abcdeu"));
        assert!(!is_public_id("0123"));
        assert!(!is_public_id("../../etc/passwd"));
    }

    fn masker() -> Masker {
        Masker::new(&PersonalData {
            full_name: Some("Lê Văn Tám".into()),
            phone: Some("0912345678".into()),
            email: Some("tam@example.vn".into()),
            ..Default::default()
        })
    }

    #[test]
    fn the_draft_is_masked_and_carries_the_proposal() {
        let d = draft(
            &masker(),
            "Ông  Lê Văn Tám hỏi về BHXH",
            "Tôi là Lê Văn Tám, gọi 0912 345 678.\r\nHồ sơ nộp ngày 12/03/2025.",
            Some("Đề nghị trả lời sớm."),
            "Đề xuất",
            "Trả lời ông Lê Văn Tám: theo Nghị định 20/2008/NĐ-CP …",
        );
        assert_eq!(d.title, format!("Ông {MASK} hỏi về BHXH"));
        assert_eq!(
            d.question,
            format!(
                "Tôi là {MASK}, gọi {MASK}.\nHồ sơ nộp ngày 12/03/2025.\n\nĐề xuất:\nĐề nghị trả lời sớm."
            )
        );
        assert_eq!(
            d.answer,
            format!("Trả lời ông {MASK}: theo Nghị định 20/2008/NĐ-CP …")
        );
    }

    #[test]
    fn edited_copies_are_cleaned_and_checked() {
        let (copy, errors) = clean("  Tiêu  đề ", "\r\nCâu hỏi\r\n", "");
        assert_eq!(copy.title, "Tiêu đề");
        assert_eq!(copy.question, "Câu hỏi");
        assert_eq!(errors, vec![("answer", CopyError::Empty)]);
        let long = "a".repeat(TITLE_MAX + 1);
        let (_, errors) = clean(&long, "q", "a");
        assert_eq!(errors, vec![("title", CopyError::TooLong)]);
    }

    #[test]
    fn leftovers_tell_own_details_from_other_ones() {
        let m = masker();
        let copy = Copy {
            title: "Về BHXH".into(),
            question: "Ông Lê Văn Tám hỏi".into(),
            answer: "Gọi đường dây nóng 0296 3957 006 hoặc thư tam@example.vn".into(),
        };
        let l = leftovers(&m, &copy);
        assert_eq!(l.own, vec![Kind::Name, Kind::Email]);
        assert_eq!(l.other, vec!["0296 3957 006".to_string()]);
        let masked = Copy {
            title: m.mask(&copy.title),
            question: m.mask(&copy.question),
            answer: m.mask(&copy.answer),
        };
        assert!(leftovers(&m, &masked).is_clean());
    }

    #[test]
    fn the_senders_phone_blocks_publication_however_it_is_written() {
        // What masking cannot read as a number still holds the sender's phone.
        let m = masker();
        for answer in [
            "SĐT 0912345678 hồ sơ đã xong.",
            "Gọi 0 9 1 2 3 4 5 6 7 8 để nhận kết quả.",
            "Zalo:0912.345.678hồ sơ",
            "Số +84 912 345 678 người nộp.",
        ] {
            let copy = Copy {
                title: "Về BHXH".into(),
                question: "Câu hỏi".into(),
                answer: answer.into(),
            };
            assert!(leftovers(&m, &copy).own.contains(&Kind::Phone), "{answer}");
        }
        let other = Copy {
            title: "Về BHXH".into(),
            question: "Câu hỏi".into(),
            answer: "Gọi đường dây nóng 0296 3957 006.".into(),
        };
        assert!(leftovers(&m, &other).own.is_empty());
    }
}
