//! The working-day calendar and legal time counting for PAKN deadlines.
//!
//! Time counting follows Bộ luật Dân sự 2015, Điều 147–148: a period counted
//! in days starts on the day after the event (receipt), and ends at 24:00 of
//! its last day; when the last day is not a working day the period ends at
//! the end of the next working day.
//!
//! Working days are Monday–Friday, except dates the calendar marks as a
//! holiday, a compensatory day off or a swapped day off; a Saturday or Sunday
//! the calendar marks as a make-up working day is a working day.
//!
//! Vietnam time (Asia/Ho_Chi_Minh) is a fixed UTC+07:00 without daylight
//! saving, so dates are computed with a [`FixedOffset`].

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Offset of Vietnam time from UTC, in seconds.
pub const VN_UTC_OFFSET_SECS: i32 = 7 * 3600;

/// Upper bound on the days any calendar walk looks at (about ten years), so
/// a corrupt calendar (say, every day a holiday) cannot hang the caller.
pub const MAX_SCAN_DAYS: u32 = 3660;

/// Asia/Ho_Chi_Minh: UTC+07:00, no daylight saving.
pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(VN_UTC_OFFSET_SECS).expect("UTC+07:00 is a valid offset")
}

/// The date in Vietnam at instant `t`.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&vn_offset()).date_naive()
}

/// 24:00 of `d` in Vietnam (00:00 +07:00 of the next day), as UTC: 17:00 UTC
/// on `d` itself.
pub fn end_of_day_utc(d: NaiveDate) -> DateTime<Utc> {
    let hour = (24 - VN_UTC_OFFSET_SECS / 3600) as u32;
    let time = NaiveTime::from_hms_opt(hour, 0, 0).expect("17:00:00 is a valid time");
    d.and_time(time).and_utc()
}

/// `dd/mm/yyyy`, e.g. `05/01/2026`. (Written out rather than through `format()`, which
/// parses its pattern on every call: a queue page formats a hundred dates.)
pub fn format_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// `HH:MM dd/mm/yyyy` in Vietnam time, e.g. `00:30 14/02/2026`.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&vn_offset());
    format!(
        "{:02}:{:02} {}",
        local.hour(),
        local.minute(),
        format_date(local.date_naive())
    )
}

/// What the calendar says about a date that differs from the plain
/// Monday–Friday week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday (ngày nghỉ lễ, Tết).
    Holiday,
    /// A day off in compensation for a holiday that fell on a weekend
    /// (ngày nghỉ bù).
    CompensatoryOff,
    /// A working day swapped into a day off (ngày nghỉ hoán đổi).
    SwappedOff,
    /// A weekend day worked to make up for a swapped day off (ngày làm bù).
    MakeUpWorkday,
}

impl DayKind {
    /// All kinds, in declaration order.
    pub const ALL: [DayKind; 4] = [
        DayKind::Holiday,
        DayKind::CompensatoryOff,
        DayKind::SwappedOff,
        DayKind::MakeUpWorkday,
    ];

    /// Parses the stored code: `holiday`, `compensatory_off`, `swapped_off`,
    /// `make_up_workday`.
    pub fn parse(code: &str) -> Option<DayKind> {
        DayKind::ALL.into_iter().find(|k| k.as_str() == code)
    }

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::CompensatoryOff => "compensatory_off",
            DayKind::SwappedOff => "swapped_off",
            DayKind::MakeUpWorkday => "make_up_workday",
        }
    }

    /// Whether the date is a day off (every kind but [`DayKind::MakeUpWorkday`]).
    pub fn is_day_off(self) -> bool {
        !matches!(self, DayKind::MakeUpWorkday)
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a period is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayCount {
    /// Calendar days; a last day that is not a working day moves to the next
    /// working day.
    Calendar,
    /// Working days only.
    Working,
}

impl DayCount {
    /// Parses `calendar` or `working`.
    pub fn parse(code: &str) -> Option<DayCount> {
        match code {
            "calendar" => Some(DayCount::Calendar),
            "working" => Some(DayCount::Working),
            _ => None,
        }
    }

    /// `calendar` or `working`.
    pub fn as_str(self) -> &'static str {
        match self {
            DayCount::Calendar => "calendar",
            DayCount::Working => "working",
        }
    }
}

impl fmt::Display for DayCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The working-day calendar: the plain Monday–Friday week plus the dates
/// that differ from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, DayKind>,
}

fn is_weekday(d: NaiveDate) -> bool {
    d.weekday().num_days_from_monday() < 5
}

impl WorkCalendar {
    /// Builds a calendar from its special dates. A date given twice keeps the
    /// last kind.
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        WorkCalendar {
            days: days.into_iter().collect(),
        }
    }

    /// The special kind of `d`, if the calendar has one.
    pub fn day_kind(&self, d: NaiveDate) -> Option<DayKind> {
        self.days.get(&d).copied()
    }

    /// The special dates in order.
    pub fn special_days(&self) -> impl Iterator<Item = (NaiveDate, DayKind)> + '_ {
        self.days.iter().map(|(d, k)| (*d, *k))
    }

    /// Monday–Friday unless marked as a day off; Saturday and Sunday only
    /// when marked as a make-up working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.day_kind(d) {
            Some(kind) => !kind.is_day_off(),
            None => is_weekday(d),
        }
    }

    /// `d` if it is a working day, else the first working day after it.
    /// Gives up after [`MAX_SCAN_DAYS`] (only a corrupt calendar gets there)
    /// and returns the last date looked at.
    pub fn next_working_day_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        for _ in 0..MAX_SCAN_DAYS {
            if self.is_working_day(day) {
                return day;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
        }
        day
    }

    /// The `n`-th working day strictly after `received`; for `n == 0`,
    /// `received` itself rolled forward to a working day. Looks at most
    /// [`MAX_SCAN_DAYS`] days ahead.
    pub fn add_working_days(&self, received: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return self.next_working_day_on_or_after(received);
        }
        let mut day = received;
        let mut counted = 0;
        for _ in 0..MAX_SCAN_DAYS {
            let Some(next) = day.succ_opt() else {
                return day;
            };
            day = next;
            if self.is_working_day(day) {
                counted += 1;
                if counted == n {
                    return day;
                }
            }
        }
        day
    }

    /// `received` plus `n` calendar days, moved to the next working day when
    /// that day is not one.
    pub fn add_calendar_days(&self, received: NaiveDate, n: u32) -> NaiveDate {
        let last = received
            .checked_add_days(Days::new(u64::from(n)))
            .unwrap_or(NaiveDate::MAX);
        self.next_working_day_on_or_after(last)
    }

    /// Adds `n` days counted as `count`: [`Self::add_calendar_days`] or
    /// [`Self::add_working_days`].
    pub fn add_days(&self, from: NaiveDate, n: u32, count: DayCount) -> NaiveDate {
        match count {
            DayCount::Calendar => self.add_calendar_days(from, n),
            DayCount::Working => self.add_working_days(from, n),
        }
    }

    /// The number of working days `d` with `from_exclusive < d <=
    /// to_inclusive`; the negated count of the reverse range when
    /// `to_inclusive < from_exclusive`.
    ///
    /// Computed arithmetically (weekdays in the range, corrected by the
    /// special dates in it), so it takes no time however long the range.
    pub fn working_days_between(&self, from_exclusive: NaiveDate, to_inclusive: NaiveDate) -> i64 {
        if to_inclusive < from_exclusive {
            return -self.working_days_between(to_inclusive, from_exclusive);
        }
        let span = to_inclusive
            .signed_duration_since(from_exclusive)
            .num_days();
        let mut count = span / 7 * 5;
        let first_weekday = i64::from(from_exclusive.weekday().num_days_from_monday());
        for k in 1..=span % 7 {
            if (first_weekday + k) % 7 < 5 {
                count += 1;
            }
        }
        let range = (
            Bound::Excluded(from_exclusive),
            Bound::Included(to_inclusive),
        );
        for (&d, &kind) in self.days.range(range) {
            match (is_weekday(d), kind.is_day_off()) {
                (true, true) => count -= 1,
                (false, false) => count += 1,
                _ => {}
            }
        }
        count
    }
}

/// How long each step of handling a PAKN may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct DeadlinePolicy {
    /// Working days after receipt to accept or reject the PAKN.
    pub accept_working_days: u32,
    /// Working days after receipt to forward it to the competent agency.
    pub forward_working_days: u32,
    /// Days after receipt to reply, counted as `reply_count`.
    pub reply_days: u32,
    /// How `reply_days` is counted.
    pub reply_count: DayCount,
    /// A deadline this many working days away or closer is "due soon".
    pub due_soon_working_days: u32,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            accept_working_days: 3,
            forward_working_days: 5,
            reply_days: 20,
            reply_count: DayCount::Calendar,
            due_soon_working_days: 3,
        }
    }
}

/// The last day of each handling step; each ends at 24:00 of its date
/// (see [`end_of_day_utc`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deadlines {
    pub accept_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub reply_due: NaiveDate,
}

/// The deadlines of a PAKN received at `received`. All periods count from
/// the day after the local (Vietnam) date of receipt, whether or not that
/// date was a working day.
pub fn deadlines(
    cal: &WorkCalendar,
    policy: &DeadlinePolicy,
    received: DateTime<Utc>,
) -> Deadlines {
    let day = local_date(received);
    Deadlines {
        accept_due: cal.add_working_days(day, policy.accept_working_days),
        forward_due: cal.add_working_days(day, policy.forward_working_days),
        reply_due: cal.add_days(day, policy.reply_days, policy.reply_count),
    }
}

/// Where a deadline stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    OnTime,
    DueSoon,
    Overdue,
}

impl DueState {
    /// `on_time`, `due_soon` or `overdue`.
    pub fn as_str(self) -> &'static str {
        match self {
            DueState::OnTime => "on_time",
            DueState::DueSoon => "due_soon",
            DueState::Overdue => "overdue",
        }
    }
}

impl fmt::Display for DueState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state at `now` of a step due on `due`:
///
/// - [`DueState::Overdue`] from 24:00 of `due` on (that is, from 00:00:00
///   Vietnam time of the following day);
/// - [`DueState::DueSoon`] when the working days after today up to and
///   including `due` number at most `policy.due_soon_working_days` (on the
///   due day itself there are none left);
/// - [`DueState::OnTime`] otherwise.
pub fn due_state(
    cal: &WorkCalendar,
    policy: &DeadlinePolicy,
    due: NaiveDate,
    now: DateTime<Utc>,
) -> DueState {
    if now >= end_of_day_utc(due) {
        return DueState::Overdue;
    }
    let remaining = cal.working_days_between(local_date(now), due);
    if remaining <= i64::from(policy.due_soon_working_days) {
        DueState::DueSoon
    } else {
        DueState::OnTime
    }
}

/// Pushes a deadline back by a pause (e.g. while waiting for the citizen to
/// supply information): `paused_days` counted as `count` after `due`, then
/// rolled to a working day. A zero pause only rolls `due` to a working day.
pub fn extend_by_pause(
    cal: &WorkCalendar,
    due: NaiveDate,
    paused_days: u32,
    count: DayCount,
) -> NaiveDate {
    cal.add_days(due, paused_days, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A moment given in Vietnam local time.
    fn local(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        vn_offset()
            .with_ymd_and_hms(y, m, d, h, min, s)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
    }

    fn fixture() -> WorkCalendar {
        let mut days = vec![
            // 30/4 – 1/5/2025 with the 2/5 swap made up on Saturday 26/4.
            (date(2025, 4, 26), DayKind::MakeUpWorkday),
            (date(2025, 4, 30), DayKind::Holiday),
            (date(2025, 5, 1), DayKind::Holiday),
            (date(2025, 5, 2), DayKind::SwappedOff),
            // Giỗ Tổ 2026 falls on Sunday 26/4: compensatory Monday.
            (date(2026, 4, 27), DayKind::CompensatoryOff),
            (date(2026, 4, 30), DayKind::Holiday),
            (date(2026, 5, 1), DayKind::Holiday),
        ];
        // Tết Bính Ngọ: Monday 16/2 – Friday 20/2/2026.
        days.extend((16..=20).map(|d| (date(2026, 2, d), DayKind::Holiday)));
        WorkCalendar::new(days)
    }

    #[test]
    fn fixture_weekdays_are_what_the_cases_assume() {
        use chrono::Weekday::*;
        assert_eq!(date(2026, 2, 13).weekday(), Fri);
        assert_eq!(date(2026, 2, 16).weekday(), Mon);
        assert_eq!(date(2025, 4, 24).weekday(), Thu);
        assert_eq!(date(2025, 4, 26).weekday(), Sat);
        assert_eq!(date(2026, 3, 1).weekday(), Sun);
        assert_eq!(date(2026, 4, 27).weekday(), Mon);
    }

    #[test]
    fn offset_and_local_date() {
        assert_eq!(vn_offset().local_minus_utc(), 7 * 3600);
        assert_eq!(local_date(utc(2026, 2, 13, 17, 30, 0)), date(2026, 2, 14));
        assert_eq!(local_date(utc(2026, 2, 13, 16, 59, 59)), date(2026, 2, 13));
        assert_eq!(local_date(utc(2026, 2, 13, 17, 0, 0)), date(2026, 2, 14));
    }

    #[test]
    fn end_of_day_is_midnight_local() {
        let d = date(2026, 2, 23);
        let end = end_of_day_utc(d);
        assert_eq!(end, utc(2026, 2, 23, 17, 0, 0));
        assert_eq!(end, local(2026, 2, 24, 0, 0, 0));
        assert_eq!(local_date(end - TimeDelta::seconds(1)), d);
        assert_eq!(local_date(end), date(2026, 2, 24));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_date(date(2026, 1, 5)), "05/01/2026");
        assert_eq!(format_date(date(2025, 12, 31)), "31/12/2025");
        assert_eq!(
            format_datetime(utc(2026, 2, 13, 17, 30, 0)),
            "00:30 14/02/2026"
        );
        assert_eq!(
            format_datetime(utc(2026, 1, 5, 2, 5, 59)),
            "09:05 05/01/2026"
        );
    }

    #[test]
    fn day_kind_codes() {
        for kind in DayKind::ALL {
            assert_eq!(DayKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(DayKind::parse("holiday"), Some(DayKind::Holiday));
        assert_eq!(
            DayKind::parse("compensatory_off"),
            Some(DayKind::CompensatoryOff)
        );
        assert_eq!(DayKind::parse("swapped_off"), Some(DayKind::SwappedOff));
        assert_eq!(
            DayKind::parse("make_up_workday"),
            Some(DayKind::MakeUpWorkday)
        );
        assert_eq!(DayKind::parse("Holiday"), None);
        assert_eq!(DayKind::parse(""), None);
    }

    #[test]
    fn day_count_codes() {
        assert_eq!(DayCount::parse("calendar"), Some(DayCount::Calendar));
        assert_eq!(DayCount::parse("working"), Some(DayCount::Working));
        assert_eq!(DayCount::parse("business"), None);
        assert_eq!(DayCount::Working.as_str(), "working");
        assert_eq!(DayCount::Calendar.to_string(), "calendar");
    }

    #[test]
    fn serde_codes_match_as_str() {
        for kind in DayKind::ALL {
            let de: StrDeserializer<DeError> = kind.as_str().into_deserializer();
            assert_eq!(DayKind::deserialize(de), Ok(kind));
        }
        for count in [DayCount::Calendar, DayCount::Working] {
            let de: StrDeserializer<DeError> = count.as_str().into_deserializer();
            assert_eq!(DayCount::deserialize(de), Ok(count));
        }
        for state in [DueState::OnTime, DueState::DueSoon, DueState::Overdue] {
            let de: StrDeserializer<DeError> = state.as_str().into_deserializer();
            assert_eq!(DueState::deserialize(de), Ok(state));
        }
    }

    #[test]
    fn working_day_rules() {
        let cal = fixture();
        assert!(cal.is_working_day(date(2026, 2, 13))); // Friday
        assert!(!cal.is_working_day(date(2026, 2, 14))); // Saturday
        assert!(!cal.is_working_day(date(2026, 2, 15))); // Sunday
        assert!(!cal.is_working_day(date(2026, 2, 16))); // Tết
        assert!(!cal.is_working_day(date(2026, 2, 20))); // Tết
        assert!(cal.is_working_day(date(2026, 2, 23)));
        assert!(cal.is_working_day(date(2025, 4, 26))); // make-up Saturday
        assert!(!cal.is_working_day(date(2025, 4, 27))); // ordinary Sunday
        assert!(!cal.is_working_day(date(2025, 4, 30)));
        assert!(!cal.is_working_day(date(2025, 5, 2))); // swapped off
        assert!(!cal.is_working_day(date(2026, 4, 27))); // compensatory
        assert_eq!(
            cal.day_kind(date(2026, 4, 27)),
            Some(DayKind::CompensatoryOff)
        );
        assert_eq!(cal.day_kind(date(2026, 4, 28)), None);
        assert_eq!(cal.special_days().count(), 12);

        let plain = WorkCalendar::default();
        assert!(plain.is_working_day(date(2026, 2, 16)));
        assert!(!plain.is_working_day(date(2025, 4, 26)));
    }

    #[test]
    fn later_duplicate_wins() {
        let d = date(2026, 3, 3);
        let cal = WorkCalendar::new([(d, DayKind::Holiday), (d, DayKind::MakeUpWorkday)]);
        assert!(cal.is_working_day(d));
    }

    #[test]
    fn next_working_day() {
        let cal = fixture();
        assert_eq!(
            cal.next_working_day_on_or_after(date(2026, 2, 13)),
            date(2026, 2, 13)
        );
        assert_eq!(
            cal.next_working_day_on_or_after(date(2026, 2, 14)),
            date(2026, 2, 23)
        );
        assert_eq!(
            cal.next_working_day_on_or_after(date(2025, 4, 30)),
            date(2025, 5, 5)
        );
        assert_eq!(
            cal.next_working_day_on_or_after(date(2025, 4, 26)),
            date(2025, 4, 26)
        );
    }

    #[test]
    fn working_days_across_tet() {
        let cal = fixture();
        let friday = date(2026, 2, 13);
        assert_eq!(cal.add_working_days(friday, 1), date(2026, 2, 23));
        assert_eq!(cal.add_working_days(friday, 2), date(2026, 2, 24));
        assert_eq!(cal.add_working_days(friday, 3), date(2026, 2, 25));
        assert_eq!(cal.add_working_days(friday, 0), friday);
        assert_eq!(
            cal.add_working_days(date(2026, 2, 14), 0),
            date(2026, 2, 23)
        );
    }

    #[test]
    fn calendar_days_ending_in_tet_move_past_it() {
        let cal = fixture();
        assert_eq!(
            cal.add_calendar_days(date(2026, 1, 30), 20),
            date(2026, 2, 23)
        );
        assert_eq!(
            cal.add_calendar_days(date(2026, 1, 30), 0),
            date(2026, 1, 30)
        );
        assert_eq!(
            cal.add_calendar_days(date(2026, 1, 30), 15),
            date(2026, 2, 23)
        );
        assert_eq!(
            cal.add_calendar_days(date(2026, 1, 30), 13),
            date(2026, 2, 12)
        );
    }

    #[test]
    fn make_up_saturday_counts_and_may_day_does_not() {
        let cal = fixture();
        let thursday = date(2025, 4, 24);
        assert_eq!(cal.add_working_days(thursday, 1), date(2025, 4, 25));
        assert_eq!(cal.add_working_days(thursday, 2), date(2025, 4, 26));
        assert_eq!(cal.add_working_days(thursday, 3), date(2025, 4, 28));
        assert_eq!(cal.add_working_days(thursday, 4), date(2025, 4, 29));
        // 30/4, 1/5 (holidays), 2/5 (swapped), 3–4/5 (weekend) are skipped.
        assert_eq!(cal.add_working_days(thursday, 5), date(2025, 5, 5));
        assert_eq!(cal.add_working_days(date(2025, 4, 29), 1), date(2025, 5, 5));
    }

    #[test]
    fn compensatory_day_and_holidays_2026() {
        let cal = fixture();
        // Sat 25, Sun 26, Mon 27 (compensatory) skipped; Tue 28 = 1, Wed 29 = 2,
        // Thu 30 and Fri 1 holidays, weekend; Mon 4/5 = 3.
        assert_eq!(cal.add_working_days(date(2026, 4, 24), 3), date(2026, 5, 4));
        assert_eq!(
            cal.add_calendar_days(date(2026, 4, 20), 7),
            date(2026, 4, 28)
        );
    }

    #[test]
    fn received_on_a_sunday() {
        let cal = fixture();
        let sunday = date(2026, 3, 1);
        assert_eq!(cal.add_working_days(sunday, 1), date(2026, 3, 2));
        assert_eq!(cal.add_working_days(sunday, 3), date(2026, 3, 4));
        assert_eq!(cal.add_calendar_days(sunday, 1), date(2026, 3, 2));

        let d = deadlines(
            &cal,
            &DeadlinePolicy::default(),
            local(2026, 3, 1, 10, 0, 0),
        );
        assert_eq!(d.accept_due, date(2026, 3, 4));
        assert_eq!(d.forward_due, date(2026, 3, 6));
        assert_eq!(d.reply_due, date(2026, 3, 23)); // Sat 21/3 → Mon 23/3
    }

    #[test]
    fn received_on_a_holiday_counts_from_the_next_day() {
        let cal = fixture();
        let d = deadlines(
            &cal,
            &DeadlinePolicy::default(),
            local(2026, 2, 17, 9, 0, 0),
        );
        assert_eq!(d.accept_due, date(2026, 2, 25));
        assert_eq!(d.forward_due, date(2026, 2, 27));
        assert_eq!(d.reply_due, date(2026, 3, 9)); // 17/2 + 20 = Monday 9/3
    }

    #[test]
    fn last_day_on_a_weekend_moves_to_monday() {
        let cal = fixture();
        let monday = date(2026, 3, 2);
        assert_eq!(cal.add_calendar_days(monday, 5), date(2026, 3, 9)); // Saturday
        assert_eq!(cal.add_calendar_days(monday, 6), date(2026, 3, 9)); // Sunday
        assert_eq!(cal.add_calendar_days(monday, 4), date(2026, 3, 6)); // Friday
    }

    #[test]
    fn default_policy() {
        let p = DeadlinePolicy::default();
        assert_eq!(p.accept_working_days, 3);
        assert_eq!(p.forward_working_days, 5);
        assert_eq!(p.reply_days, 20);
        assert_eq!(p.reply_count, DayCount::Calendar);
        assert_eq!(p.due_soon_working_days, 3);
    }

    #[test]
    fn deadlines_use_the_local_date_of_receipt() {
        let cal = fixture();
        let policy = DeadlinePolicy::default();

        // Friday 10:00 in Vietnam.
        let d = deadlines(&cal, &policy, utc(2026, 2, 13, 3, 0, 0));
        assert_eq!(
            d,
            Deadlines {
                accept_due: date(2026, 2, 25),
                forward_due: date(2026, 2, 27),
                reply_due: date(2026, 3, 5),
            }
        );

        // Friday 17:30 UTC is already Saturday 00:30 in Vietnam.
        let d = deadlines(&cal, &policy, utc(2026, 2, 13, 17, 30, 0));
        assert_eq!(d.accept_due, date(2026, 2, 25));
        assert_eq!(d.forward_due, date(2026, 2, 27));
        assert_eq!(d.reply_due, date(2026, 3, 6));
    }

    #[test]
    fn deadlines_with_working_day_reply() {
        let cal = fixture();
        let policy = DeadlinePolicy {
            reply_days: 10,
            reply_count: DayCount::Working,
            ..DeadlinePolicy::default()
        };
        let d = deadlines(&cal, &policy, local(2026, 2, 10, 8, 0, 0));
        // Wed 11, Thu 12, Fri 13, (Tết), 23, 24, 25, 26, 27, Mon 2/3, Tue 3/3.
        assert_eq!(d.reply_due, date(2026, 3, 3));
        assert_eq!(d.accept_due, date(2026, 2, 13));
        assert_eq!(d.forward_due, date(2026, 2, 24));
    }

    #[test]
    fn working_days_between_across_tet() {
        let cal = fixture();
        assert_eq!(
            cal.working_days_between(date(2026, 2, 13), date(2026, 2, 25)),
            3
        );
        assert_eq!(
            cal.working_days_between(date(2026, 2, 25), date(2026, 2, 13)),
            -3
        );
        assert_eq!(
            cal.working_days_between(date(2026, 2, 1), date(2026, 2, 28)),
            15
        );
        assert_eq!(
            cal.working_days_between(date(2026, 2, 13), date(2026, 2, 22)),
            0
        );
        assert_eq!(
            cal.working_days_between(date(2026, 2, 13), date(2026, 2, 13)),
            0
        );
        assert_eq!(
            cal.working_days_between(date(2025, 4, 24), date(2025, 5, 5)),
            5
        );
        assert_eq!(
            WorkCalendar::default().working_days_between(date(2026, 2, 1), date(2026, 2, 28)),
            20
        );
    }

    #[test]
    fn working_days_between_matches_day_by_day_count() {
        let cal = fixture();
        let base = date(2025, 4, 1);
        for start in 0..40u64 {
            let from = base + Days::new(start * 11);
            let mut expected = 0;
            let mut day = from;
            for _ in 0..400 {
                day = day.succ_opt().unwrap();
                if cal.is_working_day(day) {
                    expected += 1;
                }
                assert_eq!(
                    cal.working_days_between(from, day),
                    expected,
                    "{from} → {day}"
                );
                assert_eq!(cal.working_days_between(day, from), -expected);
            }
        }
    }

    #[test]
    fn add_working_days_agrees_with_working_days_between() {
        let cal = fixture();
        let base = date(2025, 4, 20);
        for start in 0..400u64 {
            let from = base + Days::new(start);
            for n in 1..25 {
                let due = cal.add_working_days(from, n);
                assert!(cal.is_working_day(due));
                assert_eq!(cal.working_days_between(from, due), i64::from(n));
            }
        }
    }

    #[test]
    fn due_state_transitions() {
        let cal = fixture();
        let policy = DeadlinePolicy::default();
        let due = date(2026, 2, 25);
        let state = |now| due_state(&cal, &policy, due, now);

        // Tue 10/2: 11, 12, 13, 23, 24, 25 remain.
        assert_eq!(state(local(2026, 2, 10, 9, 0, 0)), DueState::OnTime);
        // Thu 12/2: 13, 23, 24, 25 remain.
        assert_eq!(state(local(2026, 2, 12, 23, 59, 59)), DueState::OnTime);
        // Fri 13/2: 23, 24, 25 remain.
        assert_eq!(state(local(2026, 2, 13, 0, 0, 0)), DueState::DueSoon);
        assert_eq!(state(local(2026, 2, 18, 12, 0, 0)), DueState::DueSoon);
        assert_eq!(state(local(2026, 2, 25, 8, 0, 0)), DueState::DueSoon);
        assert_eq!(state(local(2026, 2, 25, 23, 59, 59)), DueState::DueSoon);
        assert_eq!(state(local(2026, 2, 26, 0, 0, 0)), DueState::Overdue);
        assert_eq!(state(local(2026, 2, 26, 0, 0, 1)), DueState::Overdue);
        assert_eq!(state(local(2026, 3, 30, 0, 0, 0)), DueState::Overdue);

        let never_soon = DeadlinePolicy {
            due_soon_working_days: 0,
            ..policy
        };
        assert_eq!(
            due_state(&cal, &never_soon, due, local(2026, 2, 24, 9, 0, 0)),
            DueState::OnTime
        );
        assert_eq!(
            due_state(&cal, &never_soon, due, local(2026, 2, 25, 9, 0, 0)),
            DueState::DueSoon
        );
        assert_eq!(DueState::DueSoon.to_string(), "due_soon");
    }

    #[test]
    fn extend_by_pause_in_both_modes() {
        let cal = fixture();
        let due = date(2026, 2, 12); // Thursday before Tết
        // Working: Fri 13 = 1, Mon 23 = 2, Tue 24 = 3.
        assert_eq!(
            extend_by_pause(&cal, due, 3, DayCount::Working),
            date(2026, 2, 24)
        );
        // Calendar: 12 + 5 = Tue 17 (Tết) → Mon 23.
        assert_eq!(
            extend_by_pause(&cal, due, 5, DayCount::Calendar),
            date(2026, 2, 23)
        );
        assert_eq!(
            extend_by_pause(&cal, due, 1, DayCount::Calendar),
            date(2026, 2, 13)
        );
        assert_eq!(extend_by_pause(&cal, due, 0, DayCount::Calendar), due);
        assert_eq!(extend_by_pause(&cal, due, 0, DayCount::Working), due);
        // A due date on a day off rolls forward even with no pause.
        assert_eq!(
            extend_by_pause(&cal, date(2026, 2, 14), 0, DayCount::Working),
            date(2026, 2, 23)
        );
    }

    #[test]
    fn corrupt_calendar_does_not_hang() {
        let start = date(2030, 1, 1);
        let cal = WorkCalendar::new((0..5000u64).map(|i| (start + Days::new(i), DayKind::Holiday)));
        let rolled = cal.next_working_day_on_or_after(start);
        assert_eq!(rolled, start + Days::new(u64::from(MAX_SCAN_DAYS)));
        let added = cal.add_working_days(start, 3);
        assert_eq!(added, start + Days::new(u64::from(MAX_SCAN_DAYS)));
        let later = cal.add_calendar_days(start, 10);
        assert!(later > start);
        assert_eq!(cal.working_days_between(start, start + Days::new(4000)), 0);
        // Loops also stop at the end of chrono's date range.
        let plain = WorkCalendar::default();
        assert_eq!(plain.add_calendar_days(NaiveDate::MAX, 5), NaiveDate::MAX);
        assert_eq!(plain.add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
    }
}
