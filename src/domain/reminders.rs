//! Which reminders a PAKN (or a data-subject request) is due on a given day (issue 15,
//! parts 3 and 5). Pure: the periodic pass reads the clocks, asks here, and sends each
//! answer once (its key is the PAKN, the deadline, the kind and the due date).
//!
//! - **due soon**: a deadline still running whose due date is at most N working days away
//!   (N per deadline; on the due day itself none are left);
//! - **overdue**: a deadline whose due date has passed, with the working days late;
//! - **progress**: while the reply is overdue and the PAKN open, every
//!   `progress_note_days` since the later of the reply's due date and the last public
//!   progress note (the key is each such date);
//! - **draft waiting**: a draft reply pending approval for more than N working days.
//!
//! The deadlines: classify (`accept_due`) and forward (`forward_due`) while the PAKN is
//! still submitted; reply (`reply_due`) while it is open (in `needs_info` only when the
//! clock does not pause there); publication, `publish_working_days` after the answer,
//! while an answered PAKN whose citizen consented has no public copy.

use chrono::{Days, NaiveDate};

use super::calendar::WorkCalendar;
use super::status::Status;

crate::text_code! {
    /// The deadline a reminder is about.
    pub enum Deadline {
        Classify = "classify",
        Forward = "forward",
        Reply = "reply",
        Publication = "publication",
        Privacy = "privacy",
    }
}

crate::text_code! {
    /// What a reminder says of its deadline.
    pub enum ReminderKind {
        DueSoon = "due_soon",
        Overdue = "overdue",
        Progress = "progress",
        DraftWaiting = "draft_waiting",
    }
}

impl ReminderKind {
    /// The outbox kind of its mail (`reminder.due_soon`, …).
    pub fn outbox_kind(self) -> String {
        format!("reminder.{}", self.as_str())
    }
}

/// The rules of the reminders (`[reminders]` and `[deadlines]` of the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderRules {
    pub soon_classify: u32,
    pub soon_forward: u32,
    pub soon_reply: u32,
    pub soon_publication: u32,
    pub soon_privacy: u32,
    pub progress_note_days: u32,
    pub draft_wait_working_days: u32,
    pub publish_working_days: u32,
    pub pause_on_needs_info: bool,
}

impl ReminderRules {
    /// Working days before `deadline` when its due-soon reminder goes.
    pub fn soon(&self, deadline: Deadline) -> u32 {
        match deadline {
            Deadline::Classify => self.soon_classify,
            Deadline::Forward => self.soon_forward,
            Deadline::Reply => self.soon_reply,
            Deadline::Publication => self.soon_publication,
            Deadline::Privacy => self.soon_privacy,
        }
    }

    /// The widest due-soon window, in working days.
    pub fn widest_soon(&self) -> u32 {
        Deadline::ALL
            .iter()
            .map(|d| self.soon(*d))
            .max()
            .unwrap_or(0)
    }
}

/// What the pass knows of one PAKN's clocks (local dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub status: Status,
    pub accept_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub reply_due: NaiveDate,
    /// The date of the last public progress note.
    pub last_public_note: Option<NaiveDate>,
    /// The date the draft now pending approval was submitted.
    pub draft_since: Option<NaiveDate>,
    /// The date of the answer, when the citizen consented to publication and no public
    /// copy was ever published.
    pub unpublished_answer: Option<NaiveDate>,
}

/// One reminder due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Due {
    pub deadline: Deadline,
    pub kind: ReminderKind,
    /// The due date of the key: the deadline's date, the progress duty's date, or the
    /// last day the draft could wait.
    pub due_on: NaiveDate,
    /// Working days late (overdue and progress; 0 otherwise).
    pub days_late: i64,
}

/// Due soon or overdue on `today`, or nothing yet.
fn stage(
    cal: &WorkCalendar,
    rules: &ReminderRules,
    deadline: Deadline,
    due: NaiveDate,
    today: NaiveDate,
) -> Option<Due> {
    if due < today {
        return Some(Due {
            deadline,
            kind: ReminderKind::Overdue,
            due_on: due,
            days_late: cal.working_days_between(due, today).max(1),
        });
    }
    (cal.working_days_between(today, due) <= i64::from(rules.soon(deadline))).then_some(Due {
        deadline,
        kind: ReminderKind::DueSoon,
        due_on: due,
        days_late: 0,
    })
}

/// The publication deadline of an answer given on `answered`.
pub fn publication_due(cal: &WorkCalendar, answered: NaiveDate, working_days: u32) -> NaiveDate {
    cal.add_working_days(answered, working_days)
}

/// The first answer date whose publication is not late on `today`: answers given
/// before it are late (their deadline, [`publication_due`], is before `today`).
pub fn publication_late_before(
    cal: &WorkCalendar,
    today: NaiveDate,
    working_days: u32,
) -> NaiveDate {
    let mut first = today;
    // Deadlines only grow with the answer date, so walk back while still not late;
    // a few weeks cover any run of holidays.
    for _ in 0..90 {
        let Some(prev) = first.pred_opt() else {
            break;
        };
        if publication_due(cal, prev, working_days) < today {
            break;
        }
        first = prev;
    }
    first
}

/// Every reminder `clock` is due on `today` (sending each once is the caller's job).
pub fn reminders_due(
    cal: &WorkCalendar,
    rules: &ReminderRules,
    clock: &Clock,
    today: NaiveDate,
) -> Vec<Due> {
    let mut out = Vec::new();
    if clock.status == Status::Submitted {
        out.extend(stage(
            cal,
            rules,
            Deadline::Classify,
            clock.accept_due,
            today,
        ));
        out.extend(stage(
            cal,
            rules,
            Deadline::Forward,
            clock.forward_due,
            today,
        ));
    }
    let reply_runs =
        clock.status.is_open() && !(clock.status == Status::NeedsInfo && rules.pause_on_needs_info);
    if reply_runs {
        out.extend(stage(cal, rules, Deadline::Reply, clock.reply_due, today));
        out.extend(progress(cal, rules, clock, today));
    }
    if clock.status == Status::PendingApproval
        && let Some(since) = clock.draft_since
    {
        let last = cal.add_working_days(since, rules.draft_wait_working_days);
        if last < today {
            out.push(Due {
                deadline: Deadline::Reply,
                kind: ReminderKind::DraftWaiting,
                due_on: last,
                days_late: cal.working_days_between(last, today),
            });
        }
    }
    if clock.status == Status::Answered
        && let Some(answered) = clock.unpublished_answer
    {
        let due = publication_due(cal, answered, rules.publish_working_days);
        out.extend(stage(cal, rules, Deadline::Publication, due, today));
    }
    out
}

/// The progress duty's latest date on or before `today`, when the reply is overdue.
fn progress(
    cal: &WorkCalendar,
    rules: &ReminderRules,
    clock: &Clock,
    today: NaiveDate,
) -> Option<Due> {
    if clock.reply_due >= today || rules.progress_note_days == 0 {
        return None;
    }
    let base = clock
        .last_public_note
        .map_or(clock.reply_due, |n| n.max(clock.reply_due));
    let every = i64::from(rules.progress_note_days);
    let periods = today.signed_duration_since(base).num_days() / every;
    if periods < 1 {
        return None;
    }
    let due_on = base.checked_add_days(Days::new(u64::try_from(periods * every).ok()?))?;
    Some(Due {
        deadline: Deadline::Reply,
        kind: ReminderKind::Progress,
        due_on,
        days_late: cal.working_days_between(clock.reply_due, today),
    })
}

/// The reminder a data-subject request due on `due` is due on `today`, if any.
pub fn privacy_due(
    cal: &WorkCalendar,
    rules: &ReminderRules,
    due: NaiveDate,
    today: NaiveDate,
) -> Option<Due> {
    stage(cal, rules, Deadline::Privacy, due, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::DayKind;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn rules() -> ReminderRules {
        ReminderRules {
            soon_classify: 1,
            soon_forward: 1,
            soon_reply: 3,
            soon_publication: 1,
            soon_privacy: 1,
            progress_note_days: 7,
            draft_wait_working_days: 2,
            publish_working_days: 2,
            pause_on_needs_info: false,
        }
    }

    fn clock(status: Status) -> Clock {
        Clock {
            status,
            accept_due: d(12, 9),
            forward_due: d(12, 11),
            reply_due: d(12, 24),
            last_public_note: None,
            draft_since: None,
            unpublished_answer: None,
        }
    }

    fn kinds(v: &[Due]) -> Vec<(Deadline, ReminderKind, NaiveDate, i64)> {
        v.iter()
            .map(|x| (x.deadline, x.kind, x.due_on, x.days_late))
            .collect()
    }

    #[test]
    fn submitted_is_due_soon_then_overdue_to_classify_and_forward() {
        let cal = WorkCalendar::new([]);
        let c = clock(Status::Submitted);
        // Monday 07/12: classify due Wednesday 09/12 (2 working days away: not yet).
        assert!(reminders_due(&cal, &rules(), &c, d(12, 7)).is_empty());
        // Tuesday 08/12: one working day left.
        assert_eq!(
            kinds(&reminders_due(&cal, &rules(), &c, d(12, 8))),
            vec![(Deadline::Classify, ReminderKind::DueSoon, d(12, 9), 0)]
        );
        // Monday 14/12: classify 3 working days late, forward 1.
        assert_eq!(
            kinds(&reminders_due(&cal, &rules(), &c, d(12, 14))),
            vec![
                (Deadline::Classify, ReminderKind::Overdue, d(12, 9), 3),
                (Deadline::Forward, ReminderKind::Overdue, d(12, 11), 1),
            ]
        );
        // Accepted: only the reply runs.
        let accepted = clock(Status::Accepted);
        assert!(reminders_due(&cal, &rules(), &accepted, d(12, 14)).is_empty());
    }

    #[test]
    fn a_holiday_counts_no_working_day() {
        let cal = WorkCalendar::new([(d(12, 10), DayKind::Holiday)]);
        let c = clock(Status::Submitted);
        // From Friday 11/12 the classify deadline of 09/12 is late by Friday only.
        assert_eq!(
            kinds(&reminders_due(&cal, &rules(), &c, d(12, 11)))[0],
            (Deadline::Classify, ReminderKind::Overdue, d(12, 9), 1)
        );
    }

    #[test]
    fn the_progress_duty_repeats_every_seven_days_from_the_last_note() {
        let cal = WorkCalendar::new([]);
        let mut c = clock(Status::InProgress);
        c.reply_due = d(11, 2);
        let due = reminders_due(&cal, &rules(), &c, d(11, 12));
        assert_eq!(due[0].kind, ReminderKind::Overdue);
        assert_eq!(
            (due[1].kind, due[1].due_on),
            (ReminderKind::Progress, d(11, 9))
        );
        // Two weeks on, the key is the next 7-day date.
        let due = reminders_due(&cal, &rules(), &c, d(11, 17));
        assert_eq!(due[1].due_on, d(11, 16));
        // A public note on 15/11 restarts the count.
        c.last_public_note = Some(d(11, 15));
        let due = reminders_due(&cal, &rules(), &c, d(11, 17));
        assert_eq!(due.len(), 1);
        assert_eq!(
            reminders_due(&cal, &rules(), &c, d(11, 22))[1].due_on,
            d(11, 22)
        );
    }

    #[test]
    fn needs_info_runs_the_reply_clock_unless_it_pauses() {
        let cal = WorkCalendar::new([]);
        let c = clock(Status::NeedsInfo);
        assert_eq!(reminders_due(&cal, &rules(), &c, d(12, 22)).len(), 1);
        let paused = ReminderRules {
            pause_on_needs_info: true,
            ..rules()
        };
        assert!(reminders_due(&cal, &paused, &c, d(12, 22)).is_empty());
    }

    #[test]
    fn a_draft_waits_two_working_days_then_is_reminded() {
        let cal = WorkCalendar::new([]);
        let mut c = clock(Status::PendingApproval);
        c.draft_since = Some(d(12, 4)); // Friday
        // Waiting until Tuesday 08/12 is allowed; Wednesday is one day too many.
        assert!(reminders_due(&cal, &rules(), &c, d(12, 8)).is_empty());
        assert_eq!(
            kinds(&reminders_due(&cal, &rules(), &c, d(12, 9))),
            vec![(Deadline::Reply, ReminderKind::DraftWaiting, d(12, 8), 1)]
        );
    }

    #[test]
    fn the_publication_clock_runs_two_working_days_after_the_answer() {
        let cal = WorkCalendar::new([]);
        let mut c = clock(Status::Answered);
        c.unpublished_answer = Some(d(12, 4)); // Friday: due Tuesday 08/12.
        assert_eq!(publication_due(&cal, d(12, 4), 2), d(12, 8));
        assert_eq!(
            kinds(&reminders_due(&cal, &rules(), &c, d(12, 7))),
            vec![(Deadline::Publication, ReminderKind::DueSoon, d(12, 8), 0)]
        );
        assert_eq!(
            kinds(&reminders_due(&cal, &rules(), &c, d(12, 9))),
            vec![(Deadline::Publication, ReminderKind::Overdue, d(12, 8), 1)]
        );
        // Answers before Friday 04/12 are late on Tuesday 08/12; on Wednesday, those
        // before Monday 07/12 (the weekend's are due on Tuesday too).
        assert_eq!(publication_late_before(&cal, d(12, 8), 2), d(12, 4));
        assert_eq!(publication_late_before(&cal, d(12, 9), 2), d(12, 7));
        // Closed or without consent: no clock.
        c.status = Status::Closed;
        assert!(reminders_due(&cal, &rules(), &c, d(12, 9)).is_empty());
    }

    #[test]
    fn a_privacy_request_is_due_soon_then_overdue() {
        let cal = WorkCalendar::new([]);
        assert_eq!(privacy_due(&cal, &rules(), d(12, 9), d(12, 7)), None);
        assert_eq!(
            privacy_due(&cal, &rules(), d(12, 9), d(12, 8)).map(|x| x.kind),
            Some(ReminderKind::DueSoon)
        );
        assert_eq!(
            privacy_due(&cal, &rules(), d(12, 9), d(12, 10)).map(|x| x.kind),
            Some(ReminderKind::Overdue)
        );
    }
}
