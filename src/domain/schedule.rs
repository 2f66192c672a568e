//! When the periodic mail (reminders, digests) goes out: at a configured time of day in
//! Vietnam, on working days of the calendar only; or, with no time set, at the periodic
//! job's next run on any day (what tests use). Sending each mail once is the job of the
//! unique keys the senders write; this only says whether now is a sending moment.

use chrono::{DateTime, NaiveTime, Timelike, Utc};

use super::calendar::{WorkCalendar, local_date, vn_offset};

/// A time of day to send at (`None`: whenever the job runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SendAt(Option<NaiveTime>);

impl SendAt {
    /// Parses `"HH:MM"` (24-hour, Vietnam time); an empty text means "at the next run".
    pub fn parse(text: &str) -> Result<SendAt, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(SendAt(None));
        }
        NaiveTime::parse_from_str(text, "%H:%M")
            .map(|t| SendAt(Some(t)))
            .map_err(|_| format!("{text:?} is not a time of day as HH:MM (for example 07:30)"))
    }

    pub fn time(self) -> Option<NaiveTime> {
        self.0
    }

    /// Whether mail due "today" may go out at `now`: always without a set time; with
    /// one, on a working day of `calendar` (in Vietnam) from that time until midnight.
    pub fn is_due(self, now: DateTime<Utc>, calendar: &WorkCalendar) -> bool {
        let Some(at) = self.0 else {
            return true;
        };
        if !calendar.is_working_day(local_date(now)) {
            return false;
        }
        let local = now.with_timezone(&vn_offset()).time();
        local.hour() * 60 + local.minute() >= at.hour() * 60 + at.minute()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::DayKind;
    use chrono::{NaiveDate, TimeZone};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn parses_times_and_empty() {
        assert_eq!(SendAt::parse("").unwrap().time(), None);
        assert_eq!(
            SendAt::parse(" 07:30 ").unwrap().time(),
            NaiveTime::from_hms_opt(7, 30, 0)
        );
        assert!(SendAt::parse("7h30").is_err());
        assert!(SendAt::parse("25:00").is_err());
    }

    #[test]
    fn without_a_time_any_moment_is_due() {
        let cal = WorkCalendar::new([]);
        // A Sunday at 02:00 in Vietnam.
        assert!(SendAt::default().is_due(utc(2026, 12, 5, 19, 0), &cal));
    }

    #[test]
    fn at_the_hour_on_working_days_only() {
        let holiday = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let cal = WorkCalendar::new([(holiday, DayKind::Holiday)]);
        let at = SendAt::parse("07:30").unwrap();
        // Monday 07/12/2026: 07:29 in Vietnam is 00:29 UTC.
        assert!(!at.is_due(utc(2026, 12, 7, 0, 29), &cal));
        assert!(at.is_due(utc(2026, 12, 7, 0, 30), &cal));
        assert!(at.is_due(utc(2026, 12, 7, 16, 59), &cal));
        // Tuesday 08/12 is a holiday; Saturday 05/12 is a weekend.
        assert!(!at.is_due(utc(2026, 12, 8, 3, 0), &cal));
        assert!(!at.is_due(utc(2026, 12, 5, 3, 0), &cal));
        // 23:45 UTC on Sunday 06/12 is 06:45 on Monday in Vietnam: a working day, not
        // yet the hour; 00:40 UTC on Monday is 07:40 there.
        assert!(!at.is_due(utc(2026, 12, 6, 23, 45), &cal));
        assert!(at.is_due(utc(2026, 12, 7, 0, 40), &cal));
    }
}
