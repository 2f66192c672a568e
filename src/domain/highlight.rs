//! Where a search's words are in a text as written (with its diacritics, cases and
//! punctuation), though the search ran on folded text: the text is cut into words, each
//! word folded and compared with the query's words, phrases and prefixes. The same
//! test ranks results: a title that holds the query comes before one that does not.
//! Pure text work; the web layer turns the ranges into escaped markup.

use std::ops::Range;

use crate::domain::fold::{self, Quick};
use crate::domain::search::{Part, Query};

/// One phrase of a query to look for.
#[derive(Debug, Clone)]
struct Pattern {
    /// The query part it belongs to.
    part: usize,
    words: Vec<String>,
    /// Whether the last word may be the start of a longer word.
    prefix: bool,
}

/// A query's words, phrases and prefixes, ready to be found in texts.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Longest first, so that a phrase wins over its first word.
    patterns: Vec<Pattern>,
    parts: usize,
}

/// A word of a text: where it is, and where its folded form is in [`Words::folded`].
struct Token {
    span: Range<usize>,
    folded: Range<usize>,
}

/// A text's words, folded into one buffer: one pass and one allocation for the
/// whole text instead of a folded `String` per word (a result's excerpt reads up to a
/// thousand characters, fifty results a page).
struct Words {
    folded: String,
    tokens: Vec<Token>,
}

impl Words {
    fn of(text: &str) -> Words {
        let mut folded = String::with_capacity(text.len());
        let mut tokens = Vec::new();
        let mut start: Option<(usize, usize)> = None;
        let mut close = |start: Option<(usize, usize)>, end: usize, folded: &str| {
            if let Some((s, f)) = start
                && folded.len() > f
            {
                tokens.push(Token {
                    span: s..end,
                    folded: f..folded.len(),
                });
            }
        };
        for (i, c) in text.char_indices() {
            let quick = fold::quick(c);
            let word = match quick {
                Quick::Separator => false,
                Quick::Slow => fold::is_word_char(c),
                Quick::Ascii(_) => true,
            };
            if word {
                if start.is_none() {
                    start = Some((i, folded.len()));
                }
                match quick {
                    Quick::Ascii(b) => folded.push(char::from(b)),
                    _ => fold::fold_char(c, &mut folded),
                }
            } else if start.is_some() {
                close(start.take(), i, &folded);
            }
        }
        close(start, text.len(), &folded);
        Words { folded, tokens }
    }

    fn word(&self, token: &Token) -> &str {
        &self.folded[token.folded.clone()]
    }
}

impl Pattern {
    /// Whether the pattern's words start at `words.tokens[at]`.
    fn matches_at(&self, words: &Words, at: usize) -> bool {
        let tokens = &words.tokens[at..];
        if tokens.len() < self.words.len() {
            return false;
        }
        let last = self.words.len() - 1;
        self.words
            .iter()
            .zip(tokens)
            .enumerate()
            .all(|(k, (w, t))| {
                let folded = words.word(t);
                if self.prefix && k == last {
                    folded.starts_with(w.as_str())
                } else {
                    folded == w
                }
            })
    }
}

impl Matcher {
    pub fn new(query: &Query) -> Matcher {
        let mut patterns = Vec::new();
        for (part, p) in query.parts().iter().enumerate() {
            match p {
                Part::Word { word, prefix } => patterns.push(Pattern {
                    part,
                    words: vec![word.clone()],
                    prefix: *prefix,
                }),
                Part::AnyOf(terms) => patterns.extend(terms.iter().map(|t| Pattern {
                    part,
                    words: t.clone(),
                    prefix: false,
                })),
            }
        }
        patterns.retain(|p| !p.words.is_empty());
        patterns.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        Matcher {
            patterns,
            parts: query.parts().len(),
        }
    }

    /// Each place in `text` where a pattern is found (the longest at each place), as
    /// (byte range, query part), in order and never overlapping; a phrase is one range
    /// from its first word to its last.
    fn found(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        let words = Words::of(text);
        let tokens = &words.tokens;
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            match self.patterns.iter().find(|p| p.matches_at(&words, i)) {
                Some(p) => {
                    let end = i + p.words.len() - 1;
                    out.push((tokens[i].span.start..tokens[end].span.end, p.part));
                    i = end + 1;
                }
                None => i += 1,
            }
        }
        out
    }

    /// The byte ranges of `text` to mark.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        self.found(text).into_iter().map(|(r, _)| r).collect()
    }

    /// How well `title` answers the query: 2 when it holds every part, 1 when some,
    /// 0 when none. Results rank by it before their date.
    pub fn relevance(&self, title: &str) -> u8 {
        if self.parts == 0 {
            return 0;
        }
        let mut seen = vec![false; self.parts];
        for (_, part) in self.found(title) {
            seen[part] = true;
        }
        match seen.iter().filter(|s| **s).count() {
            0 => 0,
            n if n == self.parts => 2,
            _ => 1,
        }
    }

    /// A stretch of `text` of about `max_chars` around its first match, with the ranges
    /// to mark in it (relative to the stretch); "…" where it was cut. `None` when
    /// nothing matches.
    pub fn excerpt(&self, text: &str, max_chars: usize) -> Option<(String, Vec<Range<usize>>)> {
        let found = self.ranges(text);
        let first = found.first()?;
        // From the text's start when the match is early in it; else a few words before
        // the match (at most a quarter of the stretch), so that the match shows even
        // where the stretch is cut short.
        let start = if text[..first.end].chars().count() <= max_chars * 3 / 4 {
            0
        } else {
            lead_start(text, first.start, max_chars / 4)
        };
        let first = first.start;
        let end = text[start..]
            .char_indices()
            .nth(max_chars)
            .map(|(i, _)| start + i)
            .unwrap_or(text.len());
        // End at a word's end when there is one in the stretch.
        let end = if end < text.len() {
            text[start..end]
                .rfind(char::is_whitespace)
                .map(|i| start + i)
                .filter(|e| *e > first)
                .unwrap_or(end)
        } else {
            end
        };
        let head = if start > 0 { "…" } else { "" };
        let tail = if end < text.len() { "…" } else { "" };
        let body = text[start..end].trim_end();
        let shift = head.len();
        let ranges = found
            .into_iter()
            .filter(|r| r.start >= start && r.start < start + body.len())
            .map(|r| r.start - start + shift..r.end.min(start + body.len()) - start + shift)
            .collect();
        Some((format!("{head}{body}{tail}"), ranges))
    }
}

/// Words kept before an excerpt's first match.
const LEAD_WORDS: usize = 3;

/// Where an excerpt whose first match is at `first` starts: at most [`LEAD_WORDS`]
/// words back (words as spaces separate them), and at most `max_chars` characters.
fn lead_start(text: &str, first: usize, max_chars: usize) -> usize {
    let before = &text[..first];
    let word_starts: Vec<usize> = before
        .char_indices()
        .filter(|&(i, c)| {
            !c.is_whitespace()
                && before[..i]
                    .chars()
                    .next_back()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(i, _)| i)
        .collect();
    let mut start = first;
    for &i in word_starts.iter().rev().take(LEAD_WORDS) {
        if text[i..first].chars().count() > max_chars {
            break;
        }
        start = i;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fold::fold;
    use crate::domain::search::query_words;
    use crate::domain::synonyms::Synonyms;
    use unicode_normalization::UnicodeNormalization;

    fn matcher(q: &str) -> Matcher {
        let synonyms = Synonyms::new([
            vec!["TTHC", "thủ tục hành chính"],
            vec!["BHXH", "bảo hiểm xã hội"],
            vec!["QSDĐ", "quyền sử dụng đất"],
        ]);
        Matcher::new(&synonyms.expand(&query_words(q, 12)))
    }

    fn marked(q: &str, text: &str) -> Vec<String> {
        matcher(q)
            .ranges(text)
            .into_iter()
            .map(|r| text[r].to_string())
            .collect()
    }

    #[test]
    fn words_are_found_as_written_whatever_their_marks() {
        assert_eq!(
            marked("thu tuc", "Thủ tục cấp Giấy phép; THỦ-TỤC"),
            vec!["Thủ", "tục", "THỦ", "TỤC"]
        );
        assert_eq!(marked("duong", "Đường dây nóng"), vec!["Đường"]);
        let nfd: String = "Hồ sơ bảo hiểm".nfd().collect();
        assert_eq!(marked("ho so", &nfd).len(), 2);
    }

    #[test]
    fn each_word_folds_as_fold_folds_it() {
        let text = "Ông Nguyễn Văn Đức, ĐƯỜNG Lê-Lợi: hồ sơ BHXH số 20/2008/NĐ-CP; \
                    Hòa hoà HOÀ ǅemal Straße İstanbul x²";
        let nfd: String = text.nfd().collect();
        for text in [text, nfd.as_str()] {
            let words = Words::of(text);
            assert!(words.tokens.len() > 15, "{}", words.tokens.len());
            for t in &words.tokens {
                let typed = &text[t.span.clone()];
                assert_eq!(words.word(t), fold(typed), "the word {typed:?}");
            }
        }
    }

    #[test]
    fn the_last_word_is_a_prefix_and_others_whole() {
        assert_eq!(
            marked("ho gia", "Hồ sơ hộ gia đình, giấy"),
            vec!["Hồ", "hộ", "gia", "giấy"]
        );
        assert_eq!(marked("ho", "hồng hà"), vec!["hồng"]);
        assert_eq!(marked("ho sơ", "hồng hà, hồ sơ"), vec!["hồ", "sơ"]);
    }

    #[test]
    fn synonyms_are_marked_and_phrases_whole() {
        assert_eq!(
            marked("TTHC", "Thủ tục hành chính về TTHC đất đai"),
            vec!["Thủ tục hành chính", "TTHC"]
        );
        assert_eq!(
            marked("bảo hiểm xã hội", "Sổ BHXH và bảo hiểm  xã-hội"),
            vec!["BHXH", "bảo hiểm  xã-hội"]
        );
        assert_eq!(marked("qsdđ", "Giấy chứng nhận QSDĐ"), vec!["QSDĐ"]);
        // A phrase's words apart are no match.
        assert!(marked("TTHC", "thủ tục và hành chính").is_empty());
    }

    #[test]
    fn relevance_counts_the_parts_a_title_holds() {
        let m = matcher("BHXH chậm");
        assert_eq!(m.relevance("Chậm trả sổ bảo hiểm xã hội"), 2);
        assert_eq!(m.relevance("Sổ BHXH bị mất"), 1);
        assert_eq!(m.relevance("Đề nghị cấp lại giấy tờ"), 0);
    }

    #[test]
    fn excerpts_keep_a_few_words_before_the_match() {
        let m = matcher("bhxh");
        let text = "Công ty đã nộp hồ sơ cấp sổ BHXH cho người lao động từ tháng hai";
        let (excerpt, _) = m.excerpt(text, 200).expect("found");
        assert_eq!(excerpt, text, "short: whole");
        let (excerpt, _) = m.excerpt(text, 40).expect("found");
        assert!(
            excerpt.starts_with("…hồ sơ cấp sổ BHXH") || excerpt.starts_with("…sơ cấp sổ BHXH"),
            "{excerpt}"
        );
        let (excerpt, _) = m
            .excerpt(&format!("{} BHXH", "x".repeat(50)), 40)
            .expect("found");
        assert!(
            excerpt.starts_with("BHXH") || excerpt.starts_with("…BHXH"),
            "{excerpt}"
        );
    }

    #[test]
    fn excerpts_start_near_the_match_and_say_where_they_were_cut() {
        let text = format!(
            "{} hồ sơ BHXH bị trả lại {}",
            "mở đầu ".repeat(40),
            "kết ".repeat(60)
        );
        let (excerpt, ranges) = matcher("bhxh").excerpt(&text, 80).expect("found");
        assert!(
            excerpt.starts_with('…') && excerpt.ends_with('…'),
            "{excerpt}"
        );
        assert!(excerpt.chars().count() <= 82, "{excerpt}");
        assert_eq!(ranges.len(), 1);
        assert_eq!(&excerpt[ranges[0].clone()], "BHXH");
        let (short, ranges) = matcher("bhxh").excerpt("Sổ BHXH", 80).expect("found");
        assert_eq!(short, "Sổ BHXH");
        assert_eq!(&short[ranges[0].clone()], "BHXH");
        assert!(matcher("bhxh").excerpt("không có", 80).is_none());
    }
}
