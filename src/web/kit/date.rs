//! Dates as staff type them in forms and filters (the ticket screens, the personal-data
//! log).

use chrono::NaiveDate;

/// A date typed as `yyyy-mm-dd` (the date input) or `dd/mm/yyyy`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 23);
        assert_eq!(parse_date("2026-02-23"), d);
        assert_eq!(parse_date(" 23/02/2026 "), d);
        assert_eq!(parse_date("23-02-2026"), None);
        assert_eq!(parse_date("30/02/2026"), None);
    }
}
