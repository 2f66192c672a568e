//! Checks of what admins type into the reference-data screens: codes, names, sort
//! numbers, emails, phone lists, dates and calendar days. Pure, so the rules are tested
//! here and the screens only word the errors.

use chrono::{Datelike, NaiveDate, Weekday};

use super::calendar::DayKind;
use super::feedback::is_plausible_email;
use super::phone::Phone;
use super::synonyms;

/// Longest code (units, contacts, lĩnh vực, categories, reason templates).
pub const CODE_MAX: usize = 50;
/// Longest name or title.
pub const NAME_MAX: usize = 200;
/// Longest free text (keywords, notes).
pub const NOTE_MAX: usize = 1000;
/// Longest reason template text.
pub const REASON_MAX: usize = 2000;
/// Most phone numbers on one contact.
pub const PHONES_MAX: usize = 5;

/// The purposes a reason template serves.
pub const REASON_PURPOSES: [&str; 4] = ["rejected", "needs_info_expired", "out_of_scope", "closed"];
/// The kinds of contact.
pub const CONTACT_KINDS: [&str; 2] = ["receiving", "hotline"];
/// Whether a calendar day is announced by the government or only expected.
pub const DAY_STATUSES: [&str; 2] = ["official", "expected"];

/// Why a value was refused; each has a message in `admin.ftl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// Not lower-case letters, digits and `_`, starting with a letter.
    Code,
    Number,
    Email,
    Phone,
    TooManyPhones,
    Date,
    /// Not one of the offered choices.
    Choice,
    /// A make-up working day that is not a Saturday or Sunday.
    MakeUpOnWeekday,
    /// A day off on a Saturday or Sunday (already off: record the day given in
    /// compensation instead).
    OffOnWeekend,
    /// A synonym group of fewer than two different terms (once folded).
    TooFewTerms,
    /// A synonym group of more than [`synonyms::TERMS_MAX`] terms.
    TooManyTerms,
    /// A synonym term of more than [`synonyms::TERM_WORDS_MAX`] words.
    TermTooManyWords,
}

impl InputError {
    pub fn message_id(self) -> &'static str {
        match self {
            InputError::Required => "admin-err-required",
            InputError::TooLong(_) => "admin-err-too-long",
            InputError::Code => "admin-err-code",
            InputError::Number => "admin-err-number",
            InputError::Email => "admin-err-email",
            InputError::Phone => "admin-err-phone",
            InputError::TooManyPhones => "admin-err-phones-many",
            InputError::Date => "admin-err-date",
            InputError::Choice => "admin-err-choice",
            InputError::MakeUpOnWeekday => "admin-err-make-up-weekday",
            InputError::OffOnWeekend => "admin-err-off-weekend",
            InputError::TooFewTerms => "admin-err-terms-few",
            InputError::TooManyTerms => "admin-err-terms-many",
            InputError::TermTooManyWords => "admin-err-term-words",
        }
    }

    /// The number a message mentions (the length limit), if any.
    pub fn limit(self) -> Option<usize> {
        match self {
            InputError::TooLong(n) => Some(n),
            InputError::TooManyPhones => Some(PHONES_MAX),
            InputError::TooManyTerms => Some(synonyms::TERMS_MAX),
            InputError::TermTooManyWords => Some(synonyms::TERM_WORDS_MAX),
            _ => None,
        }
    }
}

/// A code: 2–50 characters of `a-z`, `0-9` and `_`, starting with a letter (codes are
/// stored on tickets and in rules, so they never change after creation).
pub fn code(input: &str) -> Result<String, InputError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(InputError::Required);
    }
    if s.chars().count() > CODE_MAX {
        return Err(InputError::TooLong(CODE_MAX));
    }
    let ok = s.len() >= 2
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(InputError::Code)
    }
}

/// A required one-line text, trimmed, at most `max` characters.
pub fn required(input: &str, max: usize) -> Result<String, InputError> {
    match optional(input, max)? {
        Some(s) => Ok(s),
        None => Err(InputError::Required),
    }
}

/// An optional text, trimmed; empty means none.
pub fn optional(input: &str, max: usize) -> Result<Option<String>, InputError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > max {
        return Err(InputError::TooLong(max));
    }
    Ok(Some(s.to_string()))
}

/// A display order: a whole number from -100000 to 100000; empty means 0.
pub fn sort(input: &str) -> Result<i32, InputError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(0);
    }
    s.parse::<i32>()
        .ok()
        .filter(|n| n.abs() <= 100_000)
        .ok_or(InputError::Number)
}

/// An optional email address, stored lower case.
pub fn email(input: &str) -> Result<Option<String>, InputError> {
    let s = input.trim().to_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    if is_plausible_email(&s) {
        Ok(Some(s))
    } else {
        Err(InputError::Email)
    }
}

/// Phone numbers separated by commas, semicolons or new lines, each a Vietnamese number,
/// returned in national form without duplicates.
pub fn phones(input: &str) -> Result<Vec<String>, InputError> {
    let mut out: Vec<String> = Vec::new();
    for part in input.split([',', ';', '\n']) {
        if part.trim().is_empty() {
            continue;
        }
        let phone = Phone::parse(part).map_err(|_| InputError::Phone)?;
        if !out.iter().any(|p| p == phone.as_str()) {
            out.push(phone.as_str().to_string());
        }
    }
    if out.len() > PHONES_MAX {
        return Err(InputError::TooManyPhones);
    }
    Ok(out)
}

/// One of `choices`.
pub fn choice<'a>(input: &str, choices: &[&'a str]) -> Result<&'a str, InputError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(InputError::Required);
    }
    choices
        .iter()
        .find(|c| **c == s)
        .copied()
        .ok_or(InputError::Choice)
}

/// A date as `dd/mm/yyyy` (how dates are written here) or `yyyy-mm-dd` (what a date
/// input sends), between 2000 and 2100.
pub fn date(input: &str) -> Result<NaiveDate, InputError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(InputError::Required);
    }
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or(InputError::Date)
}

/// The terms of a synonym group, one a line as typed: each cleaned (NFC, one space
/// between words), at most [`synonyms::TERM_CHARS_MAX`] characters and
/// [`synonyms::TERM_WORDS_MAX`] words; a term that folds like an earlier one is dropped
/// (they are one term to a search); at least two and at most [`synonyms::TERMS_MAX`]
/// remain.
pub fn synonym_terms(input: &str) -> Result<Vec<String>, InputError> {
    let mut terms: Vec<String> = Vec::new();
    let mut folded: Vec<Vec<String>> = Vec::new();
    for line in input.lines() {
        let term = super::fold::clean_line(line);
        if term.is_empty() {
            continue;
        }
        if term.chars().count() > synonyms::TERM_CHARS_MAX {
            return Err(InputError::TooLong(synonyms::TERM_CHARS_MAX));
        }
        let words = synonyms::term_words(&term);
        if words.len() > synonyms::TERM_WORDS_MAX {
            return Err(InputError::TermTooManyWords);
        }
        if words.is_empty() || folded.contains(&words) {
            continue;
        }
        folded.push(words);
        terms.push(term);
    }
    match terms.len() {
        0 => Err(InputError::Required),
        1 => Err(InputError::TooFewTerms),
        n if n > synonyms::TERMS_MAX => Err(InputError::TooManyTerms),
        _ => Ok(terms),
    }
}

/// Whether a calendar exception makes sense on its date: weekends are off already, so
/// a day off belongs on a weekday, and a make-up working day on a Saturday or Sunday.
pub fn calendar_day(day: NaiveDate, kind: DayKind) -> Result<(), InputError> {
    let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
    match (kind.is_day_off(), weekend) {
        (true, true) => Err(InputError::OffOnWeekend),
        (false, false) => Err(InputError::MakeUpOnWeekday),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn codes() {
        assert_eq!(code(" phong_moi_2 "), Ok("phong_moi_2".to_string()));
        assert_eq!(code(""), Err(InputError::Required));
        assert_eq!(code("Phong"), Err(InputError::Code));
        assert_eq!(code("2phong"), Err(InputError::Code));
        assert_eq!(code("phòng"), Err(InputError::Code));
        assert_eq!(code("a b"), Err(InputError::Code));
        assert_eq!(code("a"), Err(InputError::Code));
        assert_eq!(code(&"a".repeat(51)), Err(InputError::TooLong(50)));
    }

    #[test]
    fn texts_and_numbers() {
        assert_eq!(required("  Văn phòng  ", 10), Ok("Văn phòng".to_string()));
        assert_eq!(required("   ", 10), Err(InputError::Required));
        assert_eq!(required("Phòng Tổ chức", 5), Err(InputError::TooLong(5)));
        assert_eq!(optional(" ", 5), Ok(None));
        assert_eq!(sort(""), Ok(0));
        assert_eq!(sort(" -5 "), Ok(-5));
        assert_eq!(sort("1e3"), Err(InputError::Number));
        assert_eq!(sort("9999999"), Err(InputError::Number));
    }

    #[test]
    fn emails_and_phones() {
        assert_eq!(
            email(" A@Sonoivu.GOV.vn "),
            Ok(Some("a@sonoivu.gov.vn".into()))
        );
        assert_eq!(email(""), Ok(None));
        assert_eq!(email("a@b"), Err(InputError::Email));
        assert_eq!(
            phones("0983 570 009, (0296) 3957 049\n+84 378 247 247; 0983570009"),
            Ok(vec![
                "0983570009".to_string(),
                "02963957049".to_string(),
                "0378247247".to_string()
            ])
        );
        assert_eq!(phones(""), Ok(vec![]));
        assert_eq!(phones("0983 570 009, 123"), Err(InputError::Phone));
    }

    #[test]
    fn dates_both_ways() {
        assert_eq!(date("16/02/2026"), Ok(d(2026, 2, 16)));
        assert_eq!(date("2026-02-16"), Ok(d(2026, 2, 16)));
        assert_eq!(date("31/02/2026"), Err(InputError::Date));
        assert_eq!(date("16/02/1990"), Err(InputError::Date));
        assert_eq!(date(""), Err(InputError::Required));
    }

    #[test]
    fn calendar_days_fit_the_week() {
        // 16/02/2026 is a Monday, 25/04/2026 a Saturday.
        assert_eq!(calendar_day(d(2026, 2, 16), DayKind::Holiday), Ok(()));
        assert_eq!(calendar_day(d(2026, 4, 25), DayKind::MakeUpWorkday), Ok(()));
        assert_eq!(
            calendar_day(d(2026, 4, 25), DayKind::Holiday),
            Err(InputError::OffOnWeekend)
        );
        assert_eq!(
            calendar_day(d(2026, 2, 16), DayKind::MakeUpWorkday),
            Err(InputError::MakeUpOnWeekday)
        );
    }

    #[test]
    fn choices() {
        assert_eq!(choice("closed", &REASON_PURPOSES), Ok("closed"));
        assert_eq!(choice("x", &REASON_PURPOSES), Err(InputError::Choice));
        assert_eq!(choice("", &REASON_PURPOSES), Err(InputError::Required));
    }

    #[test]
    fn synonym_terms_are_cleaned_and_distinct_once_folded() {
        assert_eq!(
            synonym_terms("  TTHC \r\n\nthủ   tục hành chính\nthu tuc hanh chinh\n"),
            Ok(vec!["TTHC".to_string(), "thủ tục hành chính".to_string()])
        );
        assert_eq!(synonym_terms("TTHC\ntthc"), Err(InputError::TooFewTerms));
        assert_eq!(synonym_terms(" \n "), Err(InputError::Required));
        assert_eq!(
            synonym_terms(&format!("a\n{}", "x".repeat(101))),
            Err(InputError::TooLong(100))
        );
        assert_eq!(
            synonym_terms("a\nmột hai ba bốn năm sáu bảy tám chín"),
            Err(InputError::TermTooManyWords)
        );
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(
            synonym_terms(&many.join("\n")),
            Err(InputError::TooManyTerms)
        );
    }
}
