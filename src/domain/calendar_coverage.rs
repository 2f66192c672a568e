//! Whether the working-day calendar covers the year ahead: the holidays that move each
//! year (Tết Nguyên đán and Giỗ Tổ Hùng Vương follow the lunar calendar; the second day
//! of Quốc khánh is set by the yearly notice) must be entered before deadlines run over
//! them, or every deadline across them comes out early. A day still marked "expected"
//! waits for an admin to confirm it against the government's notice.
//!
//! For a missing holiday it proposes the days an admin can confirm in one step (as
//! "expected": the yearly notice may swap days around them).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::calendar::DayKind;
use super::lunar;

/// How far ahead the calendar must be complete.
pub const HORIZON_DAYS: i64 = 365;

/// One day of the calendar as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub expected: bool,
    pub name: String,
}

/// A holiday that moves each year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moving {
    /// Tết Nguyên đán of the lunar year beginning on `new_year` (mùng 1).
    Tet { new_year: NaiveDate },
    /// Giỗ Tổ Hùng Vương (lunar 10/3).
    GioTo { day: NaiveDate },
    /// The day next to 2 September (1 or 3 September).
    NationalDaySecond { year: i32 },
}

impl Moving {
    /// A stable name for forms: `tet-2027`, `gio-to-2027`, `national-day-2027`.
    pub fn key(&self) -> String {
        match self {
            Moving::Tet { new_year } => format!("tet-{}", new_year.year()),
            Moving::GioTo { day } => format!("gio-to-{}", day.year()),
            Moving::NationalDaySecond { year } => format!("national-day-{year}"),
        }
    }
}

/// The proposal for the missing holiday named `key` among `gaps`.
pub fn proposal_for<'a>(gaps: &'a [Gap], key: &str) -> Option<&'a [Proposed]> {
    gaps.iter().find_map(|g| match g {
        Gap::Missing { holiday, proposal } if holiday.key() == key => Some(proposal.as_slice()),
        _ => None,
    })
}

/// Something the calendar lacks or has not confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    Missing {
        holiday: Moving,
        /// The days an admin may add in one step.
        proposal: Vec<Proposed>,
    },
    Expected {
        day: NaiveDate,
        name: String,
    },
}

/// A day proposed for the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The next weekday after `d` not already taken by `taken`.
fn next_free_weekday(d: NaiveDate, taken: &[NaiveDate]) -> NaiveDate {
    let mut day = d + Duration::days(1);
    while is_weekend(day) || taken.contains(&day) {
        day += Duration::days(1);
    }
    day
}

/// How many days off the calendar holds in `from..=to`.
fn days_off_between(entries: &[Entry], from: NaiveDate, to: NaiveDate) -> usize {
    entries
        .iter()
        .filter(|e| e.day >= from && e.day <= to && e.kind.is_day_off())
        .count()
}

/// Days off for `days` of a holiday named `name`: each weekday itself, and a
/// compensatory weekday after the group for each that falls on a weekend.
fn days_off(days: &[NaiveDate], name: &str) -> Vec<Proposed> {
    let mut out: Vec<Proposed> = days
        .iter()
        .filter(|d| !is_weekend(**d))
        .map(|d| Proposed {
            day: *d,
            kind: DayKind::Holiday,
            name: name.to_string(),
        })
        .collect();
    let mut taken: Vec<NaiveDate> = days.to_vec();
    let last = days.iter().max().copied();
    if let Some(mut after) = last {
        for _ in days.iter().filter(|d| is_weekend(**d)) {
            after = next_free_weekday(after, &taken);
            taken.push(after);
            out.push(Proposed {
                day: after,
                kind: DayKind::CompensatoryOff,
                name: format!("Nghỉ bù {name}"),
            });
        }
    }
    out
}

/// The five days of Tết as usually set (the last day of the old year and the first four
/// of the new), with compensatory days for those on a weekend.
fn tet_proposal(new_year: NaiveDate) -> Vec<Proposed> {
    let days: Vec<NaiveDate> = (-1..=3).map(|i| new_year + Duration::days(i)).collect();
    days_off(&days, "Tết Nguyên đán")
}

/// 1 or 3 September, whichever makes the longer break with the weekend.
fn second_national_day(year: i32) -> Option<NaiveDate> {
    let sept2 = NaiveDate::from_ymd_opt(year, 9, 2)?;
    let day = match sept2.weekday() {
        Weekday::Tue | Weekday::Sun => 1,
        _ => 3,
    };
    NaiveDate::from_ymd_opt(year, 9, day)
}

fn gap_tet(entries: &[Entry], new_year: NaiveDate) -> Option<Gap> {
    let covered = days_off_between(
        entries,
        new_year - Duration::days(7),
        new_year + Duration::days(10),
    );
    (covered == 0).then(|| Gap::Missing {
        holiday: Moving::Tet { new_year },
        proposal: tet_proposal(new_year),
    })
}

fn gap_gio_to(entries: &[Entry], day: NaiveDate) -> Option<Gap> {
    let covered = days_off_between(entries, day, day + Duration::days(3));
    (covered == 0).then(|| Gap::Missing {
        holiday: Moving::GioTo { day },
        proposal: days_off(&[day], "Giỗ Tổ Hùng Vương"),
    })
}

fn gap_national_day(entries: &[Entry], year: i32) -> Option<Gap> {
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 9, 1)?,
        NaiveDate::from_ymd_opt(year, 9, 10)?,
    );
    // Two days off: 2 September and the day next to it (or their compensations).
    if days_off_between(entries, from, to) >= 2 {
        return None;
    }
    let second = second_national_day(year)?;
    let taken: Vec<NaiveDate> = entries.iter().map(|e| e.day).collect();
    let proposal = if taken.contains(&second) {
        Vec::new()
    } else {
        days_off(&[second], "Quốc khánh (ngày liền kề)")
    };
    Some(Gap::Missing {
        holiday: Moving::NationalDaySecond { year },
        proposal,
    })
}

/// What the calendar lacks for the [`HORIZON_DAYS`] from `today`, in date order.
pub fn gaps(entries: &[Entry], today: NaiveDate) -> Vec<Gap> {
    let until = today + Duration::days(HORIZON_DAYS);
    let within = |d: NaiveDate| d >= today && d <= until;
    let mut found: Vec<(NaiveDate, Gap)> = Vec::new();
    for year in today.year()..=until.year() {
        if let Some(new_year) = lunar::tet(year).filter(|d| within(*d))
            && let Some(gap) = gap_tet(entries, new_year)
        {
            found.push((new_year, gap));
        }
        if let Some(day) = lunar::gio_to(year).filter(|d| within(*d))
            && let Some(gap) = gap_gio_to(entries, day)
        {
            found.push((day, gap));
        }
        if let Some(sept2) = NaiveDate::from_ymd_opt(year, 9, 2).filter(|d| within(*d))
            && let Some(gap) = gap_national_day(entries, year)
        {
            found.push((sept2, gap));
        }
    }
    for e in entries.iter().filter(|e| e.expected && within(e.day)) {
        found.push((
            e.day,
            Gap::Expected {
                day: e.day,
                name: e.name.clone(),
            },
        ));
    }
    found.sort_by_key(|(d, _)| *d);
    found.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn holiday(day: NaiveDate, name: &str) -> Entry {
        Entry {
            day,
            kind: DayKind::Holiday,
            expected: false,
            name: name.into(),
        }
    }

    #[test]
    fn the_seed_lacks_tet_and_gio_to_2027_and_the_second_national_day() {
        // The seed's 2027: New Year, 30/4, 3/5 (for 1/5), 2/9 only.
        let entries = vec![
            holiday(date(2027, 1, 1), "Tết Dương lịch"),
            holiday(date(2027, 4, 30), "Ngày Chiến thắng"),
            holiday(date(2027, 9, 2), "Quốc khánh"),
        ];
        let gaps = gaps(&entries, date(2026, 12, 5));
        let holidays: Vec<Moving> = gaps
            .iter()
            .filter_map(|g| match g {
                Gap::Missing { holiday, .. } => Some(*holiday),
                Gap::Expected { .. } => None,
            })
            .collect();
        assert_eq!(
            holidays,
            vec![
                Moving::Tet {
                    new_year: date(2027, 2, 6)
                },
                Moving::GioTo {
                    day: date(2027, 4, 16)
                },
                Moving::NationalDaySecond { year: 2027 },
            ]
        );
    }

    #[test]
    fn a_covered_year_has_no_gaps_and_expected_days_are_listed() {
        let mut entries: Vec<Entry> = (5..=9)
            .map(|d| holiday(date(2027, 2, d), "Tết Nguyên đán"))
            .collect();
        entries.push(holiday(date(2027, 4, 16), "Giỗ Tổ Hùng Vương"));
        entries.push(holiday(date(2027, 9, 2), "Quốc khánh"));
        entries.push(Entry {
            day: date(2027, 9, 3),
            kind: DayKind::Holiday,
            expected: true,
            name: "Quốc khánh (ngày liền kề)".into(),
        });
        let gaps = gaps(&entries, date(2026, 12, 5));
        assert_eq!(
            gaps,
            vec![Gap::Expected {
                day: date(2027, 9, 3),
                name: "Quốc khánh (ngày liền kề)".into()
            }]
        );
    }

    #[test]
    fn proposals_give_weekend_days_a_compensatory_weekday() {
        // Tết 2027 is Saturday 6/2: 5/2 (Fri) … 9/2 (Tue), two of them on the weekend.
        let proposal = tet_proposal(date(2027, 2, 6));
        let days: Vec<(NaiveDate, DayKind)> = proposal.iter().map(|p| (p.day, p.kind)).collect();
        assert_eq!(
            days,
            vec![
                (date(2027, 2, 5), DayKind::Holiday),
                (date(2027, 2, 8), DayKind::Holiday),
                (date(2027, 2, 9), DayKind::Holiday),
                (date(2027, 2, 10), DayKind::CompensatoryOff),
                (date(2027, 2, 11), DayKind::CompensatoryOff),
            ]
        );
        // Giỗ Tổ 2026 fell on Sunday 26/4: Monday 27/4 instead.
        let gio = days_off(&[date(2026, 4, 26)], "Giỗ Tổ Hùng Vương");
        assert_eq!(gio.len(), 1);
        assert_eq!(
            (gio[0].day, gio[0].kind),
            (date(2026, 4, 27), DayKind::CompensatoryOff)
        );
        assert_eq!(second_national_day(2027), Some(date(2027, 9, 3)));
    }
}
