//! One line of the queue as shown: the due date that matters for its status with how
//! late it is, its handler, a confidential PAKN's title and sender withheld.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::db::queue::QueueRow;
use crate::domain::calendar::{DueState, due_state, format_date, local_date};
use crate::domain::highlight::Matcher;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Template, Tr};
use crate::web::kit::highlight::Marked;

use super::view::ViewCx;

pub struct RowView {
    pub code: String,
    pub code_display: String,
    /// Escaped, with a search's words marked.
    pub title: Marked,
    /// A word search: where the content holds the words, marked.
    pub excerpt: Option<Marked>,
    pub name: String,
    pub status: &'static str,
    pub status_label: String,
    pub field: String,
    pub unit: String,
    /// The handler's name; empty when nobody is assigned.
    pub assignee: String,
    pub received: String,
    /// The due date that matters: acceptance while "Chờ tiếp nhận", reply after.
    pub due: String,
    /// Whether `due` is the acceptance deadline.
    pub accept_due: bool,
    /// `overdue`, `soon` or empty (finished PAKN are never late).
    pub due_state: &'static str,
    /// "Quá hạn 3 ngày làm việc", "Sắp đến hạn" or empty.
    pub due_note: String,
    /// The bulk checkbox's label: "Chọn PAKN …".
    pub pick_label: String,
    pub spam: bool,
    pub confidential: bool,
}

/// The words every row repeats (cell labels for the phone layout, flags), looked up
/// once per page: 50 rows asked the translations for them 450 times a page.
pub struct RowLabels {
    pub status: String,
    pub unit: String,
    pub assignee: String,
    pub received: String,
    pub due: String,
    pub unassigned: String,
    pub accept_due: String,
    pub spam: String,
    pub confidential: String,
}

impl RowLabels {
    pub fn new(t: &Tr) -> RowLabels {
        RowLabels {
            status: t.t("receipt-status"),
            unit: t.t("queue-col-unit"),
            assignee: t.t("staff-assignee"),
            received: t.t("queue-col-received"),
            due: t.t("queue-col-due"),
            unassigned: t.t("queue-unassigned"),
            accept_due: t.t("queue-accept-due"),
            spam: t.t("staff-flag-spam"),
            confidential: t.t("staff-flag-confidential"),
        }
    }
}

/// Each status's label, looked up once per page, not once per row.
pub struct StatusLabels(Vec<(Status, String)>);

impl StatusLabels {
    pub fn new(t: &Tr) -> StatusLabels {
        StatusLabels(
            Status::ALL
                .iter()
                .map(|s| (*s, t.t(&s.label_id())))
                .collect(),
        )
    }

    pub fn of(&self, status: Status) -> String {
        self.0
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, label)| label.clone())
            .unwrap_or_default()
    }
}

/// The words of the rows that vary from row to row, worded once per page: the status
/// labels, the checkbox's label around each code, and the lateness notes by number of
/// days (rows late by the same days share one).
pub struct RowWords {
    pub statuses: StatusLabels,
    pick: Template,
    late: RefCell<HashMap<i64, String>>,
}

impl RowWords {
    pub fn new(t: &Tr) -> RowWords {
        RowWords {
            statuses: StatusLabels::new(t),
            pick: t.template1("queue-pick", "code"),
            late: RefCell::new(HashMap::new()),
        }
    }

    fn late_days(&self, t: &Tr, days: i64) -> String {
        self.late
            .borrow_mut()
            .entry(days)
            .or_insert_with(|| t.t1("queue-late-days", "days", days))
            .clone()
    }
}

impl RowView {
    /// The line of `r`, whose handler is called `assignee` (empty: nobody), with what
    /// `matcher` finds marked in its title.
    pub fn of(
        cx: &ViewCx,
        words: &RowWords,
        r: &QueueRow,
        assignee: String,
        matcher: Option<&Matcher>,
    ) -> RowView {
        let (t, reference) = (&cx.t, cx.reference);
        let accept_due = r.status == Status::Submitted;
        let due = if accept_due {
            r.accept_due
        } else {
            r.reply_due
        };
        let (due_state, due_note) = due_flag(cx, words, r.status, due);
        let code_display = TrackingCode::parse(&r.code)
            .map(|c| c.display())
            .unwrap_or(r.code.clone());
        RowView {
            code: r.code.clone(),
            title: if r.confidential {
                Marked::plain(&t.t("staff-confidential-title"))
            } else {
                Marked::found(&r.title, matcher)
            },
            excerpt: None,
            // A confidential PAKN is often a tố cáo: who sent it is what must be
            // protected, so lists show neither its title nor its sender.
            name: if r.confidential {
                String::new()
            } else {
                r.full_name
                    .clone()
                    .or(r.organization.clone())
                    .unwrap_or_default()
            },
            status: r.status.as_str(),
            status_label: words.statuses.of(r.status),
            field: reference
                .field(&r.field_code)
                .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
                .unwrap_or(r.field_code.clone()),
            unit: reference
                .unit(r.unit_id)
                .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                .unwrap_or_default(),
            assignee,
            received: format_date(local_date(r.received_at)),
            due: format_date(due),
            accept_due,
            due_state,
            due_note,
            pick_label: words.pick.fill(&code_display),
            code_display,
            spam: r.suspected_spam,
            confidential: r.confidential,
        }
    }
}

/// Whether an open PAKN due on `due` is late (and by how many working days) or due
/// soon.
fn due_flag(
    cx: &ViewCx,
    words: &RowWords,
    status: Status,
    due: chrono::NaiveDate,
) -> (&'static str, String) {
    if !status.is_open() {
        return ("", String::new());
    }
    let calendar = &cx.reference.calendar;
    match due_state(calendar, &cx.policy, due, cx.now) {
        DueState::Overdue => {
            let late = calendar.working_days_between(due, local_date(cx.now));
            let note = if late > 0 {
                words.late_days(&cx.t, late)
            } else {
                cx.t.t("staff-overdue")
            };
            ("overdue", note)
        }
        DueState::DueSoon => ("soon", cx.t.t("staff-due-soon")),
        DueState::OnTime => ("", String::new()),
    }
}
