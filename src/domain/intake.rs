//! A PAKN sent by email before staff complete it (issue 16): where it stands, and what
//! Điều 7 still requires that the mail does not give (the sender's full name, contact
//! address and phone; the email address is known).

use crate::domain::phone::Phone;

crate::text_code! {
    /// Where a mail waiting to become a PAKN stands.
    pub enum IntakeState {
        /// Waits for staff to complete it ("chờ hoàn thiện").
        Waiting = "waiting",
        /// Completed and filed as a PAKN.
        Accepted = "accepted",
        /// Marked as spam; nothing was filed and nobody was told.
        Spam = "spam",
    }
}

/// Something Điều 7 requires that a mail lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    FullName,
    Address,
    Phone,
}

impl Missing {
    /// The message id of its line in the acknowledgement and on the staff screens.
    pub fn message_id(self) -> &'static str {
        match self {
            Missing::FullName => "intake-missing-name",
            Missing::Address => "intake-missing-address",
            Missing::Phone => "intake-missing-phone",
        }
    }
}

/// What a mail lacks: the name unless the From header gave a display name, the address
/// always (a mail's text is not read for one), the phone unless the text has one.
pub fn missing(sender_name: Option<&str>, found_phone: Option<&str>) -> Vec<Missing> {
    let mut out = Vec::new();
    if sender_name.is_none_or(|n| n.trim().is_empty()) {
        out.push(Missing::FullName);
    }
    out.push(Missing::Address);
    if found_phone.is_none() {
        out.push(Missing::Phone);
    }
    out
}

/// Characters a phone number may be written with.
fn phone_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '+' | '.' | '-' | '(' | ')' | ' ')
}

/// The first Vietnamese phone number written in `text` (national form), if any: each
/// run of digits and separators is tried whole, then as each of its parts of
/// consecutive space-separated pieces.
pub fn find_phone(text: &str) -> Option<Phone> {
    for run in text.split(|c: char| !phone_char(c)) {
        let pieces: Vec<&str> = run.split(' ').filter(|p| !p.is_empty()).collect();
        if !pieces.iter().any(|p| p.chars().any(|c| c.is_ascii_digit())) {
            continue;
        }
        for start in 0..pieces.len() {
            for end in (start + 1..=pieces.len().min(start + 6)).rev() {
                let candidate = pieces[start..end].join(" ");
                if let Ok(phone) = Phone::parse(&candidate) {
                    return Some(phone);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Option<String> {
        find_phone(text).map(|p| p.as_str().to_string())
    }

    #[test]
    fn finds_phone_numbers_as_people_write_them() {
        assert_eq!(
            found("Số điện thoại của tôi: 0912 345 678, xin cảm ơn."),
            Some("0912345678".into())
        );
        assert_eq!(found("ĐT: 0983.570.009"), Some("0983570009".into()));
        assert_eq!(found("Gọi +84 912 345 678 nhé"), Some("0912345678".into()));
        assert_eq!(found("(0237) 3852 123"), Some("02373852123".into()));
    }

    #[test]
    fn dates_codes_and_short_numbers_are_not_phones() {
        assert_eq!(
            found("Hồ sơ số 000.00.12.H56-241120-0001 ngày 20/11/2026"),
            None
        );
        assert_eq!(found("Tôi nộp hồ sơ lúc 9 giờ, mất 300.000 đồng."), None);
        assert_eq!(found(""), None);
    }

    #[test]
    fn missing_lists_what_the_mail_lacks() {
        assert_eq!(
            missing(None, None),
            vec![Missing::FullName, Missing::Address, Missing::Phone]
        );
        assert_eq!(
            missing(Some("Nguyễn Văn An"), Some("0912345678")),
            vec![Missing::Address]
        );
        assert_eq!(
            missing(Some("  "), Some("0912345678"))[0],
            Missing::FullName
        );
    }
}
