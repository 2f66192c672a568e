//! What a search box query means. In the staff queue: a tracking code or a phone number
//! (exact lookups that ignore the default scope), or words, possibly also a dossier code.
//! Words are folded ([`crate::domain::fold`]) and expanded with the administration's
//! abbreviations and synonyms ([`crate::domain::synonyms`]) into a [`Query`]: every part
//! must match, a part being a word as typed or any one of a synonym group's terms.

use crate::domain::fold::fold;
use crate::domain::phone::Phone;
use crate::domain::synonyms::Synonyms;
use crate::domain::tracking_code::TrackingCode;

/// Most words of a query looked at (the rest are dropped): a tsquery stays small.
pub const MAX_WORDS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    Code(TrackingCode),
    Phone(Phone),
    Words {
        /// The folded words, expanded; every part must appear.
        query: Query,
        /// The query as a dossier code (upper case), when it looks like one.
        dossier: Option<String>,
    },
}

impl SearchTerm {
    /// `None` for an empty query. Words are expanded with `synonyms`.
    pub fn parse(q: &str, synonyms: &Synonyms) -> Option<SearchTerm> {
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
        let query = synonyms.expand(&query_words(q, MAX_WORDS));
        if query.is_empty() && dossier.is_none() {
            return None;
        }
        Some(SearchTerm::Words { query, dossier })
    }

    /// Whether the default scope (own unit, last 12 months) applies.
    pub fn is_exact(&self) -> bool {
        matches!(self, SearchTerm::Code(_) | SearchTerm::Phone(_))
    }

    /// The words' query, for a word search.
    pub fn query(&self) -> Option<&Query> {
        match self {
            SearchTerm::Words { query, .. } if !query.is_empty() => Some(query),
            _ => None,
        }
    }
}

/// The folded words of `q` in order, repeats kept (a repeated word may belong to a
/// phrase: "cán bộ, công chức, viên chức"), at most `max`.
pub fn query_words(q: &str, max: usize) -> Vec<String> {
    fold(q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(max)
        .map(str::to_owned)
        .collect()
}

/// A search's words as parts that must all match.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Query {
    parts: Vec<Part>,
}

/// One thing a match must contain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// A folded word as typed; `prefix` for the last one, so that a word typed halfway
    /// still finds.
    Word { word: String, prefix: bool },
    /// Any one of these phrases (each of one or more folded words): a term the user
    /// typed and every term of its synonym group.
    AnyOf(Vec<Vec<String>>),
}

impl Query {
    /// Parts as given: repeats are dropped, and the last part, when it is a word, is a
    /// prefix.
    pub fn new(parts: Vec<Part>) -> Query {
        let mut kept: Vec<Part> = Vec::with_capacity(parts.len());
        for part in parts {
            let part = match part {
                Part::Word { word, .. } => Part::Word {
                    word,
                    prefix: false,
                },
                any => any,
            };
            if !part.is_empty() && !kept.contains(&part) {
                kept.push(part);
            }
        }
        if let Some(Part::Word { prefix, .. }) = kept.last_mut() {
            *prefix = true;
        }
        Query { parts: kept }
    }

    /// Folded words, each a part (no synonyms).
    pub fn plain(words: &[String]) -> Query {
        Query::new(
            words
                .iter()
                .map(|w| Part::Word {
                    word: w.clone(),
                    prefix: false,
                })
                .collect(),
        )
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The query as a Postgres `tsquery` for the `simple` configuration: parts joined
    /// by `&`, a group's terms by `|`, a term's words by `<->` (a phrase), the last word
    /// as a prefix. Only letters and digits of the words reach it, so no tsquery syntax
    /// can be injected.
    pub fn tsquery(&self) -> Option<String> {
        let parts: Vec<String> = self.parts.iter().filter_map(Part::tsquery).collect();
        (!parts.is_empty()).then(|| parts.join(" & "))
    }
}

/// Only the letters and digits of a word (folded words have nothing else).
fn clean(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).collect()
}

impl Part {
    fn is_empty(&self) -> bool {
        match self {
            Part::Word { word, .. } => clean(word).is_empty(),
            Part::AnyOf(terms) => terms.iter().all(|t| t.iter().all(|w| clean(w).is_empty())),
        }
    }

    fn tsquery(&self) -> Option<String> {
        match self {
            Part::Word { word, prefix } => {
                let w = clean(word);
                (!w.is_empty()).then(|| {
                    if *prefix {
                        format!("'{w}':*")
                    } else {
                        format!("'{w}'")
                    }
                })
            }
            Part::AnyOf(terms) => {
                let mut phrases: Vec<String> = terms
                    .iter()
                    .filter_map(|term| {
                        let words: Vec<String> = term
                            .iter()
                            .map(|w| clean(w))
                            .filter(|w| !w.is_empty())
                            .map(|w| format!("'{w}'"))
                            .collect();
                        (!words.is_empty()).then(|| words.join(" <-> "))
                    })
                    .collect();
                match phrases.len() {
                    0 => None,
                    1 => phrases.pop(),
                    _ => Some(format!("({})", phrases.join(" | "))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn none() -> Synonyms {
        Synonyms::default()
    }

    fn words(q: &str) -> Vec<String> {
        match SearchTerm::parse(q, &none()) {
            Some(SearchTerm::Words { query, .. }) => query
                .parts()
                .iter()
                .map(|p| match p {
                    Part::Word { word, .. } => word.clone(),
                    other => panic!("{other:?}"),
                })
                .collect(),
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn codes_and_phones_are_exact() {
        let parse = |q: &str| SearchTerm::parse(q, &none());
        assert!(matches!(parse("abcd efgh jk"), Some(SearchTerm::Code(_))));
        assert!(matches!(parse("ABCD-EFGH-JK"), Some(SearchTerm::Code(_))));
        assert!(matches!(parse("0983 570 009"), Some(SearchTerm::Phone(_))));
        assert!(matches!(parse("+84983570009"), Some(SearchTerm::Phone(_))));
        assert!(parse("0983570009").is_some_and(|t| t.is_exact()));
        assert_eq!(parse("   "), None);
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
        assert_eq!(words("Hòa hoà HOA"), vec!["hoa"]);
    }

    #[test]
    fn long_queries_keep_their_first_words() {
        let q = (1..=30)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(words(&q).len(), MAX_WORDS);
    }

    #[test]
    fn dossier_codes_are_recognised() {
        match SearchTerm::parse("000.00.12.h01-123456", &none()) {
            Some(SearchTerm::Words { dossier, .. }) => {
                assert_eq!(dossier.as_deref(), Some("000.00.12.H01-123456"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tsquery_is_safe_and_prefixes_the_last_word() {
        let plain = |w: &[&str]| {
            Query::plain(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>()).tsquery()
        };
        assert_eq!(plain(&["thu", "tuc"]).as_deref(), Some("'thu' & 'tuc':*"));
        assert_eq!(plain(&["a'b", "|!"]).as_deref(), Some("'ab':*"));
        assert_eq!(plain(&[]), None);
    }

    #[test]
    fn groups_become_alternatives_and_phrases() {
        let q = Query::new(vec![
            Part::AnyOf(vec![
                vec!["tthc".into()],
                vec!["thu".into(), "tuc".into(), "hanh".into(), "chinh".into()],
            ]),
            Part::Word {
                word: "dat".into(),
                prefix: false,
            },
        ]);
        assert_eq!(
            q.tsquery().as_deref(),
            Some("('tthc' | 'thu' <-> 'tuc' <-> 'hanh' <-> 'chinh') & 'dat':*")
        );
        // A group last is no prefix: its terms were typed whole.
        let last = Query::new(vec![Part::AnyOf(vec![
            vec!["bhxh".into()],
            vec!["x'); drop".into()],
        ])]);
        assert_eq!(last.tsquery().as_deref(), Some("('bhxh' | 'xdrop')"));
    }
}
