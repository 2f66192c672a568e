//! The periodic report's rules as plain Rust (issue 18): the facts each change counts
//! (the metric names of `report_counts`), the periods a report covers (month, quarter,
//! half-year, year, any range), the figures of one line of a report, and the median and
//! 90th percentile of the working days to answer, exactly from the histogram of counts.

use chrono::{Datelike, NaiveDate};

use crate::domain::workflow::Action;

/// The longest answer time counted on its own (working days); longer ones are counted
/// as this many.
pub const MAX_ANSWER_DAYS: i64 = 60;

pub const RECEIVED: &str = "received";
pub const ACCEPTED: &str = "accepted";
pub const REFUSED: &str = "refused";
pub const OUT_OF_SCOPE: &str = "out_of_scope";
pub const TRANSFERRED: &str = "transferred";
pub const WITHDRAWN: &str = "withdrawn";
pub const INFO_REQUESTED: &str = "info_requested";
pub const REOPENED: &str = "reopened";
pub const ANSWERED_ON_TIME: &str = "answered_on_time";
pub const ANSWERED_LATE: &str = "answered_late";
pub const PUBLISHED: &str = "published";
pub const PUBLISHED_ON_TIME: &str = "published_on_time";
/// The prefix of the histogram of working days from receipt to the first answer.
pub const ANSWER_DAYS: &str = "answer_days:";

/// The metric of a histogram bucket: `answer_days:<n>`, `n` capped at [`MAX_ANSWER_DAYS`].
pub fn answer_days_metric(days: i64) -> String {
    format!("{ANSWER_DAYS}{}", days.clamp(0, MAX_ANSWER_DAYS))
}

/// The metric counting a rating (`satisfied`, `neutral`, `unsatisfied`).
pub fn rating_metric(rating: &str) -> String {
    format!("rating_{rating}")
}

/// The facts a move counts (besides the first answer, see [`answer_metrics`]): what
/// `pakn_report_truth` (migration 000047) recomputes from the timeline.
pub fn move_metrics(action: Action, to: crate::domain::status::Status) -> Vec<&'static str> {
    use crate::domain::status::Status;
    let mut out = Vec::new();
    match action {
        Action::Accept => out.push(ACCEPTED),
        Action::AskInfo => out.push(INFO_REQUESTED),
        Action::Withdraw => out.push(WITHDRAWN),
        Action::Reopen => out.push(REOPENED),
        _ => {}
    }
    match to {
        Status::Rejected => out.push(REFUSED),
        Status::OutOfScope => out.push(OUT_OF_SCOPE),
        Status::Transferred => out.push(TRANSFERRED),
        _ => {}
    }
    out
}

/// The facts of a first answer: on time or late, and its working days from receipt.
pub fn answer_metrics(on_time: bool, working_days: i64) -> [String; 2] {
    let outcome = if on_time {
        ANSWERED_ON_TIME
    } else {
        ANSWERED_LATE
    };
    [outcome.to_string(), answer_days_metric(working_days)]
}

/// Which date a report counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    /// The PAKN received in the period, and what has become of them (the cohort).
    #[default]
    Receipt,
    /// What happened in the period (answers, refusals, …), whenever the PAKN came in.
    Event,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Receipt => "receipt",
            Basis::Event => "event",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        [Basis::Receipt, Basis::Event]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// What the lines of a report are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    #[default]
    Unit,
    Field,
    Category,
    Channel,
    Kind,
}

impl Grouping {
    pub const ALL: [Grouping; 5] = [
        Grouping::Unit,
        Grouping::Field,
        Grouping::Category,
        Grouping::Channel,
        Grouping::Kind,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Unit => "unit",
            Grouping::Field => "field",
            Grouping::Category => "category",
            Grouping::Channel => "channel",
            Grouping::Kind => "kind",
        }
    }

    pub fn parse(s: &str) -> Option<Grouping> {
        Grouping::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// A report's period: a month, a quarter, a half-year (January–June, July–December), a
/// year, or any range of dates (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(i32, u32),
    Quarter(i32, u32),
    Half(i32, u32),
    Year(i32),
    Range(NaiveDate, NaiveDate),
}

impl Period {
    /// `2026`, `2026-H1`, `2026-Q3`, `2026-07`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (year, rest) = s.split_once('-').unwrap_or((s, ""));
        let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y))?;
        let period = match rest.to_ascii_uppercase().as_str() {
            "" => Period::Year(year),
            "H1" => Period::Half(year, 1),
            "H2" => Period::Half(year, 2),
            q if q.starts_with('Q') => Period::Quarter(year, q[1..].parse().ok()?),
            m => Period::Month(year, m.parse().ok()?),
        };
        period.bounds().map(|_| period)
    }

    /// The code [`Period::parse`] reads (`from:to` ranges have none).
    pub fn code(self) -> String {
        match self {
            Period::Month(y, m) => format!("{y}-{m:02}"),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
            Period::Half(y, h) => format!("{y}-H{h}"),
            Period::Year(y) => format!("{y}"),
            Period::Range(..) => "range".to_string(),
        }
    }

    /// The first and last day, or `None` for an impossible period.
    pub fn bounds(self) -> Option<(NaiveDate, NaiveDate)> {
        let months = |y: i32, first: u32, count: u32| {
            let from = NaiveDate::from_ymd_opt(y, first, 1)?;
            let after = from.checked_add_months(chrono::Months::new(count))?;
            Some((from, after.pred_opt()?))
        };
        match self {
            Period::Month(y, m) if (1..=12).contains(&m) => months(y, m, 1),
            Period::Quarter(y, q) if (1..=4).contains(&q) => months(y, 3 * q - 2, 3),
            Period::Half(y, h) if (1..=2).contains(&h) => months(y, 6 * h - 5, 6),
            Period::Year(y) => months(y, 1, 12),
            Period::Range(from, to) if from <= to => Some((from, to)),
            _ => None,
        }
    }

    /// The half-year around `today` (the statutory six-month report).
    pub fn half_of(today: NaiveDate) -> Period {
        Period::Half(today.year(), if today.month() <= 6 { 1 } else { 2 })
    }

    /// The periods offered for choosing, newest year first: each year, its halves, its
    /// quarters and its months.
    pub fn choices(years: &[i32]) -> Vec<Period> {
        let mut out = Vec::new();
        for &y in years {
            out.push(Period::Year(y));
            out.extend((1..=2).map(|h| Period::Half(y, h)));
            out.extend((1..=4).map(|q| Period::Quarter(y, q)));
            out.extend((1..=12).map(|m| Period::Month(y, m)));
        }
        out
    }
}

/// How the days `from..=to` are read: the whole months in it from the monthly roll-ups,
/// the days before and after them from the daily counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first days of the first and last whole month.
    pub months: Option<(NaiveDate, NaiveDate)>,
    /// The days before the whole months (or the whole range when there are none).
    pub before: Option<(NaiveDate, NaiveDate)>,
    /// The days after the whole months.
    pub after: Option<(NaiveDate, NaiveDate)>,
}

impl Span {
    /// Splits `from..=to`. Nothing is counted after `today`, so a range reaching today
    /// or later holds its last month whole (the year so far, this half-year).
    pub fn of(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Span {
        let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
        let next_month = |d: NaiveDate| {
            month_start(d)
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(d)
        };
        let first = if from.day() == 1 {
            from
        } else {
            next_month(from)
        };
        let reach = if to >= today {
            next_month(to).pred_opt().unwrap_or(to)
        } else {
            to
        };
        let last = if next_month(reach).pred_opt() == Some(reach) {
            month_start(reach)
        } else {
            month_start(reach)
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(reach)
        };
        if from > to || first > last {
            return Span {
                months: None,
                before: (from <= to).then_some((from, to)),
                after: None,
            };
        }
        let last_day = next_month(last).pred_opt().unwrap_or(last);
        Span {
            months: Some((first, last)),
            before: (from < first).then(|| (from, first.pred_opt().unwrap_or(first))),
            after: (last_day < to).then(|| (last_day.succ_opt().unwrap_or(last_day), to)),
        }
    }
}

/// The figures of one line of a report (a unit, a lĩnh vực, …, or the total).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub received: i64,
    pub accepted: i64,
    pub refused: i64,
    pub out_of_scope: i64,
    pub transferred: i64,
    pub withdrawn: i64,
    pub on_time: i64,
    pub late: i64,
    pub info_requested: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub unsatisfied: i64,
    pub reopened: i64,
    pub published: i64,
    pub published_on_time: i64,
    /// Still open now (of the PAKN received in the period).
    pub open: i64,
    /// Of those, past their due date.
    pub overdue: i64,
    /// Answers by working days from receipt: `days[n]` answers took `n` days.
    pub days: Vec<i64>,
}

impl Figures {
    /// Adds `n` to the figure `metric` counts; unknown metrics are ignored.
    pub fn add(&mut self, metric: &str, n: i64) {
        if let Some(days) = metric.strip_prefix(ANSWER_DAYS) {
            if let Ok(d) = days.parse::<usize>() {
                if self.days.len() <= d {
                    self.days.resize(d + 1, 0);
                }
                self.days[d] += n;
            }
            return;
        }
        let slot = match metric {
            RECEIVED => &mut self.received,
            ACCEPTED => &mut self.accepted,
            REFUSED => &mut self.refused,
            OUT_OF_SCOPE => &mut self.out_of_scope,
            TRANSFERRED => &mut self.transferred,
            WITHDRAWN => &mut self.withdrawn,
            ANSWERED_ON_TIME => &mut self.on_time,
            ANSWERED_LATE => &mut self.late,
            INFO_REQUESTED => &mut self.info_requested,
            "rating_satisfied" => &mut self.satisfied,
            "rating_neutral" => &mut self.neutral,
            "rating_unsatisfied" => &mut self.unsatisfied,
            REOPENED => &mut self.reopened,
            PUBLISHED => &mut self.published,
            PUBLISHED_ON_TIME => &mut self.published_on_time,
            _ => return,
        };
        *slot += n;
    }

    /// Adds every figure of `other` (the totals line).
    pub fn merge(&mut self, other: &Figures) {
        for (metric, n) in other.pairs() {
            self.add(metric, n);
        }
        self.open += other.open;
        self.overdue += other.overdue;
        for (d, n) in other.days.iter().enumerate() {
            self.add(&answer_days_metric(d as i64), *n);
        }
    }

    fn pairs(&self) -> [(&'static str, i64); 15] {
        [
            (RECEIVED, self.received),
            (ACCEPTED, self.accepted),
            (REFUSED, self.refused),
            (OUT_OF_SCOPE, self.out_of_scope),
            (TRANSFERRED, self.transferred),
            (WITHDRAWN, self.withdrawn),
            (ANSWERED_ON_TIME, self.on_time),
            (ANSWERED_LATE, self.late),
            (INFO_REQUESTED, self.info_requested),
            ("rating_satisfied", self.satisfied),
            ("rating_neutral", self.neutral),
            ("rating_unsatisfied", self.unsatisfied),
            (REOPENED, self.reopened),
            (PUBLISHED, self.published),
            (PUBLISHED_ON_TIME, self.published_on_time),
        ]
    }

    pub fn answered(&self) -> i64 {
        self.on_time + self.late
    }

    /// Open and not yet past due.
    pub fn not_yet_due(&self) -> i64 {
        self.open - self.overdue
    }

    /// The share answered on time, in per mille (rounded), when anything was answered.
    pub fn on_time_permille(&self) -> Option<i64> {
        let answered = self.answered();
        (answered > 0).then(|| (self.on_time * 1000 + answered / 2) / answered)
    }

    /// The median working days to answer (nearest rank).
    pub fn median_days(&self) -> Option<i64> {
        percentile(&self.days, 50)
    }

    /// The 90th percentile of the working days to answer (nearest rank).
    pub fn p90_days(&self) -> Option<i64> {
        percentile(&self.days, 90)
    }
}

/// The nearest-rank `pct`th percentile of a histogram (`hist[n]` values equal to `n`):
/// the smallest `n` with at least `pct`% of the values at or below it.
pub fn percentile(hist: &[i64], pct: i64) -> Option<i64> {
    let total: i64 = hist.iter().sum();
    if total <= 0 {
        return None;
    }
    let rank = (total * pct + 99) / 100;
    let mut seen = 0;
    for (n, count) in hist.iter().enumerate() {
        seen += count;
        if seen >= rank.max(1) {
            return Some(n as i64);
        }
    }
    None
}

/// A rate in per mille as text with one decimal and a comma (`87,5%`) for Vietnamese,
/// a point for English.
pub fn format_permille(permille: i64, comma: bool) -> String {
    let text = format!("{}.{}%", permille / 10, permille % 10);
    if comma { text.replace('.', ",") } else { text }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spans_read_whole_months_from_the_roll_ups() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("a date");
        let today = d("2026-12-05");
        // A half-year: six whole months, no days.
        let h1 = Span::of(d("2026-01-01"), d("2026-06-30"), today);
        assert_eq!(h1.months, Some((d("2026-01-01"), d("2026-06-01"))));
        assert_eq!((h1.before, h1.after), (None, None));
        // Any range: the days around the whole months.
        let r = Span::of(d("2026-01-15"), d("2026-04-10"), today);
        assert_eq!(r.months, Some((d("2026-02-01"), d("2026-03-01"))));
        assert_eq!(r.before, Some((d("2026-01-15"), d("2026-01-31"))));
        assert_eq!(r.after, Some((d("2026-04-01"), d("2026-04-10"))));
        // Inside one month: days only.
        let m = Span::of(d("2026-02-03"), d("2026-02-20"), today);
        assert_eq!(m.months, None);
        assert_eq!(m.before, Some((d("2026-02-03"), d("2026-02-20"))));
        // The year so far: the current month counts whole, nothing comes after today.
        let y = Span::of(d("2026-01-01"), today, today);
        assert_eq!(y.months, Some((d("2026-01-01"), d("2026-12-01"))));
        assert_eq!((y.before, y.after), (None, None));
        // February of a leap year ends on the 29th.
        let f = Span::of(d("2028-02-01"), d("2028-02-29"), today);
        assert_eq!(f.months, Some((d("2028-02-01"), d("2028-02-01"))));
        // An empty range reads nothing.
        let e = Span::of(d("2026-03-02"), d("2026-03-01"), today);
        assert_eq!((e.months, e.before, e.after), (None, None, None));
    }

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_parse_and_bound() {
        assert_eq!(
            Period::parse("2026-H1").unwrap().bounds(),
            Some((d(2026, 1, 1), d(2026, 6, 30)))
        );
        assert_eq!(
            Period::parse("2026-h2").unwrap().bounds(),
            Some((d(2026, 7, 1), d(2026, 12, 31)))
        );
        assert_eq!(
            Period::parse("2026-Q1").unwrap().bounds(),
            Some((d(2026, 1, 1), d(2026, 3, 31)))
        );
        assert_eq!(
            Period::parse("2024-02").unwrap().bounds(),
            Some((d(2024, 2, 1), d(2024, 2, 29)))
        );
        assert_eq!(
            Period::parse("2025").unwrap().bounds(),
            Some((d(2025, 1, 1), d(2025, 12, 31)))
        );
        for bad in ["", "2026-13", "2026-Q5", "2026-H3", "abc", "1900"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        for p in Period::choices(&[2026]) {
            assert_eq!(Period::parse(&p.code()), Some(p));
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        // 1, 2, 2, 3, 10
        let mut hist = vec![0; 11];
        hist[1] = 1;
        hist[2] = 2;
        hist[3] = 1;
        hist[10] = 1;
        assert_eq!(percentile(&hist, 50), Some(2));
        assert_eq!(percentile(&hist, 90), Some(10));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[0, 0], 90), None);
    }

    #[test]
    fn figures_add_and_rate() {
        let mut f = Figures::default();
        f.add(ANSWERED_ON_TIME, 7);
        f.add(ANSWERED_LATE, 1);
        f.add("answer_days:3", 8);
        f.add("nonsense", 5);
        assert_eq!(f.answered(), 8);
        assert_eq!(f.on_time_permille(), Some(875));
        assert_eq!(format_permille(875, true), "87,5%");
        assert_eq!(f.median_days(), Some(3));
        let mut total = Figures::default();
        total.merge(&f);
        total.merge(&f);
        assert_eq!(total.on_time, 14);
        assert_eq!(total.days[3], 16);
    }

    #[test]
    fn moves_count_their_facts() {
        use crate::domain::status::Status;
        assert_eq!(
            move_metrics(Action::Reject, Status::Rejected),
            vec![REFUSED]
        );
        assert_eq!(
            move_metrics(Action::ExpireInfo, Status::Rejected),
            vec![REFUSED]
        );
        assert_eq!(
            move_metrics(Action::Withdraw, Status::Closed),
            vec![WITHDRAWN]
        );
        assert!(move_metrics(Action::StartWork, Status::InProgress).is_empty());
        assert_eq!(answer_metrics(false, 99)[1], "answer_days:60");
    }
}
