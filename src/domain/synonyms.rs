//! The administration's abbreviations and synonyms: groups of terms that mean the same
//! ("TTHC" = "thủ tục hành chính", "CCCD" = "căn cước công dân" = "căn cước"), edited
//! by admins (`/staff/admin/synonyms`) and cached with the reference data. A search
//! query is expanded with them: wherever its folded words spell one of a group's terms,
//! that stretch of the query matches any of the group's terms, so an abbreviation finds
//! the words written in full and the reverse. Matching is on folded text, so "QSDĐ",
//! "qsdđ" and "qsdd" are one term.

use std::collections::HashMap;

use crate::domain::fold::fold;
use crate::domain::search::{Part, Query};

/// Most terms in one group.
pub const TERMS_MAX: usize = 20;
/// Longest term, in characters.
pub const TERM_CHARS_MAX: usize = 100;
/// Most words in one term (a phrase longer than this is no abbreviation's meaning).
pub const TERM_WORDS_MAX: usize = 8;

/// Every group, ready to expand queries.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// A term's folded words → its group (the first group that has it).
    by_term: HashMap<Vec<String>, usize>,
    /// Each group's distinct terms, folded.
    groups: Vec<Vec<Vec<String>>>,
    /// Each group's terms as written (one for each folded term).
    written: Vec<Vec<String>>,
    /// The most words of any term.
    longest: usize,
}

/// A term's folded words.
pub fn term_words(term: &str) -> Vec<String> {
    fold(term)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Synonyms {
    /// The groups, each a list of terms as written.
    pub fn new<G, T>(groups: G) -> Synonyms
    where
        G: IntoIterator<Item = T>,
        T: IntoIterator,
        T::Item: AsRef<str>,
    {
        let mut synonyms = Synonyms::default();
        for group in groups {
            let mut terms: Vec<Vec<String>> = Vec::new();
            let mut written = Vec::new();
            for term in group {
                let words = term_words(term.as_ref());
                if !words.is_empty() && !terms.contains(&words) {
                    terms.push(words);
                    written.push(term.as_ref().to_string());
                }
            }
            if terms.len() < 2 {
                continue;
            }
            let index = synonyms.groups.len();
            for words in &terms {
                synonyms.longest = synonyms.longest.max(words.len());
                synonyms.by_term.entry(words.clone()).or_insert(index);
            }
            synonyms.groups.push(terms);
            synonyms.written.push(written);
        }
        synonyms
    }

    /// How many groups there are.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// `words` cut into runs: from the left, the longest run that is a term (with its
    /// group), else one word.
    fn scan<'w>(&self, words: &'w [String]) -> Vec<(&'w [String], Option<usize>)> {
        let mut runs = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let longest = self.longest.min(words.len() - i);
            let found = (1..=longest)
                .rev()
                .find_map(|n| self.by_term.get(&words[i..i + n]).map(|g| (n, *g)));
            let (n, group) = match found {
                Some((n, group)) => (n, Some(group)),
                None => (1, None),
            };
            runs.push((&words[i..i + n], group));
            i += n;
        }
        runs
    }

    /// The query of folded `words`: each run that is a term becomes the part "any term
    /// of its group"; other words stay words.
    pub fn expand(&self, words: &[String]) -> Query {
        let parts = self
            .scan(words)
            .into_iter()
            .map(|(run, group)| match group {
                Some(g) => Part::AnyOf(self.groups[g].clone()),
                None => Part::Word {
                    word: run[0].clone(),
                    prefix: false,
                },
            })
            .collect();
        Query::new(parts)
    }

    /// The terms, as written, that a search for folded `words` also looks for: those of
    /// the groups its runs name, but not the runs themselves.
    pub fn also_searched(&self, words: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (run, group) in self.scan(words) {
            let Some(g) = group else { continue };
            for (folded, written) in self.groups[g].iter().zip(&self.written[g]) {
                if folded.as_slice() != run && !out.contains(written) {
                    out.push(written.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::query_words;

    fn synonyms() -> Synonyms {
        Synonyms::new([
            vec!["TTHC", "thủ tục hành chính"],
            vec!["CBCCVC", "cán bộ, công chức, viên chức"],
            vec!["CBCC", "cán bộ công chức"],
            vec!["QSDĐ", "quyền sử dụng đất"],
            vec!["UBND", "ủy ban nhân dân", "uỷ ban nhân dân"],
            vec!["lonely"],
        ])
    }

    fn tsquery(q: &str) -> String {
        synonyms()
            .expand(&query_words(q, 12))
            .tsquery()
            .unwrap_or_default()
    }

    #[test]
    fn an_abbreviation_and_its_words_expand_alike() {
        let both = "('tthc' | 'thu' <-> 'tuc' <-> 'hanh' <-> 'chinh')";
        assert_eq!(tsquery("TTHC"), both);
        assert_eq!(tsquery("Thủ tục hành chính"), both);
        assert_eq!(tsquery("thu tuc hanh chinh"), both);
        assert_eq!(
            tsquery("QSDĐ"),
            "('qsdd' | 'quyen' <-> 'su' <-> 'dung' <-> 'dat')"
        );
        assert_eq!(tsquery("qsdd"), tsquery("QSDĐ"));
    }

    #[test]
    fn other_words_stay_and_the_last_word_is_a_prefix() {
        assert_eq!(
            tsquery("cấp lại TTHC chậm"),
            "'cap' & 'lai' & ('tthc' | 'thu' <-> 'tuc' <-> 'hanh' <-> 'chinh') & 'cham':*"
        );
        assert_eq!(tsquery("thủ tục"), "'thu' & 'tuc':*");
    }

    #[test]
    fn the_longest_term_wins_and_repeated_words_stay_in_phrases() {
        assert_eq!(
            tsquery("cán bộ công chức viên chức"),
            "('cbccvc' | 'can' <-> 'bo' <-> 'cong' <-> 'chuc' <-> 'vien' <-> 'chuc')"
        );
        assert_eq!(
            tsquery("cán bộ công chức"),
            "('cbcc' | 'can' <-> 'bo' <-> 'cong' <-> 'chuc')"
        );
    }

    #[test]
    fn what_else_a_search_looks_for_is_said_as_written() {
        let s = synonyms();
        assert_eq!(
            s.also_searched(&query_words("hồ sơ TTHC, QSDĐ", 12)),
            vec!["thủ tục hành chính", "quyền sử dụng đất"]
        );
        assert_eq!(
            s.also_searched(&query_words("ủy ban nhân dân", 12)),
            vec!["UBND"]
        );
        assert!(s.also_searched(&query_words("đất đai", 12)).is_empty());
    }

    #[test]
    fn spellings_that_fold_alike_are_one_term_and_lone_terms_no_group() {
        assert_eq!(
            tsquery("UBND"),
            "('ubnd' | 'uy' <-> 'ban' <-> 'nhan' <-> 'dan')"
        );
        assert_eq!(synonyms().len(), 5);
        assert_eq!(tsquery("lonely"), "'lonely':*");
    }
}
