//! What a word search says above its results, the same in the staff queue and on
//! `/answers`: how many it found (exact up to a bound, "more than" past it, with the
//! language's thousands separator) and which other terms it looked for.

use crate::domain::search::query_words;
use crate::domain::synonyms::Synonyms;
use crate::i18n::Tr;
use crate::web::kit::numbers::grouped;

/// "1 kết quả", "12 kết quả"; past `bound` ("found" is then `bound + 1`), "Hơn 1.000
/// kết quả".
pub fn count_text(t: &Tr, found: i64, bound: i64) -> String {
    if found > bound {
        t.t1("search-count-more", "n", grouped(t, bound))
    } else if found == 1 {
        t.t("search-count-one")
    } else {
        t.t1("search-count", "n", grouped(t, found))
    }
}

/// "Tìm cả: thủ tục hành chính, TTHC" when the query named a synonym group; `None`
/// otherwise.
pub fn also_searched(t: &Tr, synonyms: &Synonyms, q: &str, max_words: usize) -> Option<String> {
    let also = synonyms.also_searched(&query_words(q, max_words));
    (!also.is_empty()).then(|| t.t1("search-also", "terms", also.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn counts_are_exact_up_to_the_bound_in_each_language() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        assert_eq!(count_text(&vi, 0, 1000), "0 kết quả");
        assert_eq!(count_text(&vi, 1, 1000), "1 kết quả");
        assert_eq!(count_text(&vi, 1000, 1000), "1.000 kết quả");
        assert_eq!(count_text(&vi, 1001, 1000), "Hơn 1.000 kết quả");
        assert_eq!(count_text(&en, 1, 1000), "1 result");
        assert_eq!(count_text(&en, 999, 1000), "999 results");
        assert_eq!(count_text(&en, 1001, 1000), "More than 1,000 results");
    }

    #[test]
    fn the_other_terms_are_named() {
        let synonyms = Synonyms::new([vec!["BHXH", "bảo hiểm xã hội"]]);
        let vi = Tr::new(Lang::Vi);
        assert_eq!(
            also_searched(&vi, &synonyms, "sổ bhxh", 12).as_deref(),
            Some("Tìm cả: bảo hiểm xã hội")
        );
        assert_eq!(also_searched(&vi, &synonyms, "sổ", 12), None);
    }
}
