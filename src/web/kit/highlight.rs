//! Found words marked in a text that users wrote: the text is escaped for HTML here,
//! piece by piece, and only the `<mark>` tags this module writes are markup. The result
//! is [`Marked`], which templates write as it is (it is `HtmlSafe`), so no template
//! needs `|safe` and no user text reaches a page unescaped.

use std::fmt;
use std::ops::Range;

use crate::domain::highlight::Matcher;
use crate::web::kit::markup::escape;

/// HTML: escaped text with `<mark>` around the found words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marked(String);

impl Marked {
    /// `text` escaped, nothing marked.
    pub fn plain(text: &str) -> Marked {
        Marked(escape(text))
    }

    /// `text` escaped, with the byte `ranges` (in order, not overlapping, on character
    /// boundaries; others are skipped) marked.
    pub fn of(text: &str, ranges: &[Range<usize>]) -> Marked {
        let mut out = String::with_capacity(text.len() + ranges.len() * 13);
        let mut at = 0;
        for r in ranges {
            let fits = r.start >= at
                && r.start < r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end);
            if !fits {
                continue;
            }
            out.push_str(&escape(&text[at..r.start]));
            out.push_str("<mark>");
            out.push_str(&escape(&text[r.clone()]));
            out.push_str("</mark>");
            at = r.end;
        }
        out.push_str(&escape(&text[at..]));
        Marked(out)
    }

    /// `text` with what `matcher` finds marked; plain without a matcher.
    pub fn found(text: &str, matcher: Option<&Matcher>) -> Marked {
        match matcher {
            Some(m) => Marked::of(text, &m.ranges(text)),
            None => Marked::plain(text),
        }
    }

    /// About `max_chars` of `text` around the first thing `matcher` finds, marked;
    /// `None` when it finds nothing.
    pub fn excerpt(text: &str, matcher: &Matcher, max_chars: usize) -> Option<Marked> {
        let (excerpt, ranges) = matcher.excerpt(text, max_chars)?;
        Some(Marked::of(&excerpt, &ranges))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Marked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Built only by escaping (above), so askama writes it without escaping it again.
impl askama::filters::HtmlSafe for Marked {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::{Query, query_words};
    use crate::domain::synonyms::Synonyms;

    fn matcher(q: &str) -> Matcher {
        let synonyms = Synonyms::new([vec!["TTHC", "thủ tục hành chính"]]);
        Matcher::new(&synonyms.expand(&query_words(q, 12)))
    }

    #[test]
    fn user_text_is_escaped_around_and_inside_the_marks() {
        let text = r#"<script>alert("x")</script> & thủ tục &amp; 'TTHC'"#;
        let html = Marked::found(text, Some(&matcher("tthc script amp")));
        assert_eq!(
            html.as_str(),
            "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; &amp; \
             thủ tục &amp;<mark>amp</mark>; &#39;<mark>TTHC</mark>&#39;"
        );
        assert!(!html.as_str().contains("<script"));
    }

    #[test]
    fn a_word_that_looks_like_markup_is_marked_as_text() {
        let html = Marked::found("a <b>bold</b> claim", Some(&matcher("b")));
        assert_eq!(
            html.as_str(),
            "a &lt;<mark>b</mark>&gt;<mark>bold</mark>&lt;/<mark>b</mark>&gt; claim"
        );
    }

    #[test]
    fn ranges_that_do_not_fit_are_skipped_and_plain_text_is_escaped() {
        let text = "Hồ sơ <x>";
        // 1..2 splits "ồ"; 5..5 is empty; 50..60 is past the end.
        let backwards = Range { start: 5, end: 3 };
        let html = Marked::of(text, &[1..2, 5..5, backwards, 50..60]);
        assert_eq!(html.as_str(), "Hồ sơ &lt;x&gt;");
        assert_eq!(Marked::found(text, None), Marked::plain(text));
        assert_eq!(
            Marked::found(text, Some(&Matcher::new(&Query::default()))).as_str(),
            "Hồ sơ &lt;x&gt;"
        );
    }

    #[test]
    fn excerpts_are_escaped_too() {
        let text = format!("{} <i>TTHC</i> {}", "a ".repeat(100), "b ".repeat(100));
        let html = Marked::excerpt(&text, &matcher("thủ tục hành chính"), 60).expect("found");
        assert!(
            html.as_str()
                .contains("&lt;i&gt;<mark>TTHC</mark>&lt;/i&gt;"),
            "{html}"
        );
        assert!(html.as_str().starts_with('…') && html.as_str().ends_with('…'));
    }

    #[test]
    fn askama_writes_marked_text_as_is_and_other_text_escaped() {
        #[derive(askama::Template)]
        #[template(source = "{{ marked }}|{{ raw }}", ext = "html")]
        struct Page {
            marked: Marked,
            raw: String,
        }
        let page = Page {
            marked: Marked::found("<b>TTHC</b>", Some(&matcher("tthc"))),
            raw: "<mark>".into(),
        };
        assert_eq!(
            askama::Template::render(&page).expect("renders"),
            "&lt;b&gt;<mark>TTHC</mark>&lt;/b&gt;|&#60;mark&#62;"
        );
    }
}
