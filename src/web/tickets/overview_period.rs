//! The overview's periods, by month of receipt (the counters' key): this month, last
//! month, this quarter, this half-year (January–June or July–December), this year, last
//! year.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    ThisMonth,
    LastMonth,
    ThisQuarter,
    ThisHalf,
    ThisYear,
    LastYear,
}

impl Period {
    pub const ALL: [Period; 6] = [
        Period::ThisMonth,
        Period::LastMonth,
        Period::ThisQuarter,
        Period::ThisHalf,
        Period::ThisYear,
        Period::LastYear,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::ThisMonth => "this_month",
            Period::LastMonth => "last_month",
            Period::ThisQuarter => "this_quarter",
            Period::ThisHalf => "this_half",
            Period::ThisYear => "this_year",
            Period::LastYear => "last_year",
        }
    }

    /// The period named in the URL; anything else is this month.
    pub fn parse(s: Option<&str>) -> Period {
        Period::ALL
            .into_iter()
            .find(|p| Some(p.as_str()) == s)
            .unwrap_or_default()
    }

    /// The Fluent id of its name ("Tháng này").
    pub fn label_id(self) -> String {
        format!("overview-period-{}", self.as_str().replace('_', "-"))
    }

    /// Its months as `[from, until)`, both firsts of a month, for a period seen on
    /// `today`.
    pub fn months(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let (y, m) = (today.year(), today.month());
        let first = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today);
        let span =
            |start: u32, len: u32| (first(y, start), add_months(first(y, start), len as i32));
        match self {
            Period::ThisMonth => span(m, 1),
            Period::LastMonth => {
                let this = first(y, m);
                (add_months(this, -1), this)
            }
            Period::ThisQuarter => span((m - 1) / 3 * 3 + 1, 3),
            Period::ThisHalf => span(if m <= 6 { 1 } else { 7 }, 6),
            Period::ThisYear => span(1, 12),
            Period::LastYear => (first(y - 1, 1), first(y, 1)),
        }
    }
}

/// The first of the month `n` months after (or before) the first of the month `d`.
pub fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let index = d.year() * 12 + d.month0() as i32 + n;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn periods_cover_their_months() {
        let today = d(2026, 1, 15);
        assert_eq!(
            Period::ThisMonth.months(today),
            (d(2026, 1, 1), d(2026, 2, 1))
        );
        assert_eq!(
            Period::LastMonth.months(today),
            (d(2025, 12, 1), d(2026, 1, 1))
        );
        assert_eq!(
            Period::ThisQuarter.months(today),
            (d(2026, 1, 1), d(2026, 4, 1))
        );
        assert_eq!(
            Period::ThisHalf.months(today),
            (d(2026, 1, 1), d(2026, 7, 1))
        );
        assert_eq!(
            Period::ThisYear.months(today),
            (d(2026, 1, 1), d(2027, 1, 1))
        );
        assert_eq!(
            Period::LastYear.months(today),
            (d(2025, 1, 1), d(2026, 1, 1))
        );
        let autumn = d(2026, 12, 31);
        assert_eq!(
            Period::ThisQuarter.months(autumn),
            (d(2026, 10, 1), d(2027, 1, 1))
        );
        assert_eq!(
            Period::ThisHalf.months(autumn),
            (d(2026, 7, 1), d(2027, 1, 1))
        );
        assert_eq!(
            Period::ThisMonth.months(autumn),
            (d(2026, 12, 1), d(2027, 1, 1))
        );
        assert_eq!(add_months(d(2026, 1, 1), -13), d(2024, 12, 1));
    }

    #[test]
    fn unknown_periods_are_this_month() {
        assert_eq!(Period::parse(Some("last_year")), Period::LastYear);
        assert_eq!(Period::parse(Some("x")), Period::ThisMonth);
        assert_eq!(Period::parse(None), Period::ThisMonth);
        assert_eq!(Period::ThisHalf.label_id(), "overview-period-this-half");
    }
}
