//! What a staff search box query means: a tracking code or a phone number (exact
//! lookups that ignore the default scope), or words (folded, all must match), possibly
//! also a dossier code.

use crate::domain::fold::fold_words;
use crate::domain::phone::Phone;
use crate::domain::tracking_code::TrackingCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    Code(TrackingCode),
    Phone(Phone),
    Words {
        /// Folded words, all of which must appear.
        words: Vec<String>,
        /// The query as a dossier code (upper case), when it looks like one.
        dossier: Option<String>,
    },
}

impl SearchTerm {
    /// `None` for an empty query.
    pub fn parse(q: &str) -> Option<SearchTerm> {
        let q = q.trim();
        if q.is_empty() {
            return None;
        }
        // A 10-digit mobile number is also a well-formed code; a phone number wins (the
        // query layer also matches a code made of the same digits).
        if let Ok(phone) = Phone::parse(q) {
            return Some(SearchTerm::Phone(phone));
        }
        if let Some(code) = TrackingCode::parse(q) {
            return Some(SearchTerm::Code(code));
        }
        let dossier = (q.len() <= 50
            && q.chars().any(|c| c.is_ascii_digit())
            && q.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/')))
        .then(|| q.to_ascii_uppercase());
        let words = fold_words(q);
        if words.is_empty() && dossier.is_none() {
            return None;
        }
        Some(SearchTerm::Words { words, dossier })
    }

    /// Whether the default scope (own unit, last 12 months) applies.
    pub fn is_exact(&self) -> bool {
        matches!(self, SearchTerm::Code(_) | SearchTerm::Phone(_))
    }
}

/// The words as a Postgres `tsquery` for the `simple` configuration: every word must
/// match, the last one as a prefix (so a search typed halfway still finds). Only
/// letters and digits reach it, so no tsquery syntax can be injected.
pub fn tsquery(words: &[String]) -> Option<String> {
    let clean: Vec<String> = words
        .iter()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let (last, rest) = clean.split_last()?;
    let mut parts: Vec<String> = rest.iter().map(|w| format!("'{w}'")).collect();
    parts.push(format!("'{last}':*"));
    Some(parts.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn words(q: &str) -> Vec<String> {
        match SearchTerm::parse(q) {
            Some(SearchTerm::Words { words, .. }) => words,
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn codes_and_phones_are_exact() {
        assert!(matches!(
            SearchTerm::parse("abcd efgh jk"),
            Some(SearchTerm::Code(_))
        ));
        assert!(matches!(
            SearchTerm::parse("ABCD-EFGH-JK"),
            Some(SearchTerm::Code(_))
        ));
        assert!(matches!(
            SearchTerm::parse("0983 570 009"),
            Some(SearchTerm::Phone(_))
        ));
        assert!(matches!(
            SearchTerm::parse("+84983570009"),
            Some(SearchTerm::Phone(_))
        ));
        assert!(SearchTerm::parse("0983570009").is_some_and(|t| t.is_exact()));
        assert_eq!(SearchTerm::parse("   "), None);
    }

    #[test]
    fn words_are_folded_whatever_the_input() {
        assert_eq!(words("thu tuc"), words("Thủ tục"));
        assert_eq!(words("nguyen"), vec!["nguyen"]);
        assert_eq!(words("hòa"), words("hoà"));
        assert_eq!(words("Đường"), vec!["duong"]);
        let nfd: String = "Nguyễn  Thị".nfd().collect();
        assert_eq!(words(&nfd), vec!["nguyen", "thi"]);
        assert_eq!(words("  thủ   tục  "), vec!["thu", "tuc"]);
    }

    #[test]
    fn dossier_codes_are_recognised() {
        match SearchTerm::parse("000.00.12.h01-123456") {
            Some(SearchTerm::Words { dossier, .. }) => {
                assert_eq!(dossier.as_deref(), Some("000.00.12.H01-123456"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tsquery_is_safe_and_prefixes_the_last_word() {
        assert_eq!(
            tsquery(&["thu".into(), "tuc".into()]).as_deref(),
            Some("'thu' & 'tuc':*")
        );
        assert_eq!(
            tsquery(&["a'b".into(), "|!".into()]).as_deref(),
            Some("'ab':*")
        );
        assert_eq!(tsquery(&[]), None);
    }
}
