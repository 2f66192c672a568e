//! The details of a timeline event that people may read (from its `data`), labelled
//! and formatted in the reader's language: the rating's level, the date an answer is
//! due by, the competent body, the agency and reference of a transfer, the PAKN it
//! duplicates. The citizen's track page and the staff ticket page show the same ones;
//! anything else in `data` (routing, ids) stays internal.

use crate::domain::calendar::format_date;
use crate::domain::tracking_code::TrackingCode;
use crate::handling::rating::Rating;
use crate::i18n::Tr;

/// Who reads the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The citizen's track page: the PAKN a duplicate repeats is not named (its code
    /// is another citizen's key to the track lookup; security review, finding 9).
    Citizen,
    Staff,
}

/// The details of an event's `data` that the reader may read, in a fixed order.
pub fn event_details(t: &Tr, data: &serde_json::Value, reader: Reader) -> Vec<(String, String)> {
    const SHOWN: [(&str, &str); 7] = [
        ("rating", "track-rating"),
        ("answer_by", "track-needs-info-due"),
        ("competent_body", "track-competent-body"),
        ("agency", "track-agency"),
        ("reference", "track-reference"),
        ("date", "track-date"),
        ("duplicate_of", "track-duplicate-of"),
    ];
    SHOWN
        .iter()
        .filter_map(|(key, label)| {
            let value = data.get(*key)?.as_str()?.trim();
            if value.is_empty() {
                return None;
            }
            let value = match *key {
                "date" | "answer_by" => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                    .map(format_date)
                    .unwrap_or_else(|_| value.to_string()),
                "duplicate_of" if reader == Reader::Citizen => t.t("track-duplicate-earlier"),
                "duplicate_of" => TrackingCode::parse(value)
                    .map(|c| c.display())
                    .unwrap_or_else(|| value.to_string()),
                "rating" => Rating::parse(value)
                    .map(|r| t.t(&r.label_id()))
                    .unwrap_or_else(|| value.to_string()),
                _ => value.to_string(),
            };
            Some((t.t(label), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn only_known_details_are_shown_and_dates_and_codes_are_formatted() {
        let t = Tr::new(Lang::Vi);
        let data = serde_json::json!({
            "answer_by": "2026-12-11",
            "agency": "UBND tỉnh",
            "reference": "123/UBND",
            "date": "2026-11-20",
            "routing": {"rule": "secret"},
            "duplicate_of": "abcd0123ef",
        });
        let details = event_details(&t, &data, Reader::Staff);
        let values: Vec<&str> = details.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            values,
            [
                "11/12/2026",
                "UBND tỉnh",
                "123/UBND",
                "20/11/2026",
                "ABCD-0123-EF"
            ]
        );
    }

    #[test]
    fn a_citizen_is_never_given_the_code_of_the_pakn_theirs_duplicates() {
        let data = serde_json::json!({ "duplicate_of": "abcd0123ef" });
        for lang in [Lang::Vi, Lang::En] {
            let shown = event_details(&Tr::new(lang), &data, Reader::Citizen);
            assert_eq!(shown.len(), 1);
            assert!(!shown[0].1.contains("ABCD"), "{shown:?}");
            assert!(
                !shown[0].1.to_lowercase().contains("abcd0123ef"),
                "{shown:?}"
            );
        }
    }

    #[test]
    fn a_rating_shows_its_level_in_the_language_of_the_page() {
        let data = serde_json::json!({ "rating": "neutral", "not_resolved": false, "reply_id": 7 });
        let vi = event_details(&Tr::new(Lang::Vi), &data, Reader::Citizen);
        assert_eq!(
            vi,
            [("Mức đánh giá".to_string(), "Bình thường".to_string())]
        );
        let en = event_details(&Tr::new(Lang::En), &data, Reader::Citizen);
        assert_eq!(en, [("Rating".to_string(), "Neutral".to_string())]);
    }
}
