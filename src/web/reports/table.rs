//! The report's tables as rows of cells, shared by the page, the printable page, the
//! CSV and the XLSX: the columns in order with their headings, each line's cells (a
//! number, a rate or a count of days, with the queue link of the PAKN counted), the
//! period's name and the written summary.

use crate::domain::calendar::format_date;
use crate::domain::report::{Figures, Grouping, Period};
use fluent_templates::fluent_bundle::FluentValue;

use crate::i18n::Tr;

use super::model::{Line, Report, Selection, days, queue_link, rate};

/// The figure columns, in order: (figure id for links, message id of the heading).
pub const COLUMNS: [(&str, &str); 21] = [
    ("received", "report-col-received"),
    ("accepted", "report-col-accepted"),
    ("refused", "report-col-refused"),
    ("out_of_scope", "report-col-out-of-scope"),
    ("transferred", "report-col-transferred"),
    ("withdrawn", "report-col-withdrawn"),
    ("on_time", "report-col-on-time"),
    ("late", "report-col-late"),
    ("rate", "report-col-rate"),
    ("open", "report-col-open"),
    ("overdue", "report-col-overdue"),
    ("not_yet_due", "report-col-not-due"),
    ("median", "report-col-median"),
    ("p90", "report-col-p90"),
    ("info_requested", "report-col-info"),
    ("satisfied", "report-col-satisfied"),
    ("neutral", "report-col-neutral"),
    ("unsatisfied", "report-col-unsatisfied"),
    ("reopened", "report-col-reopened"),
    ("published", "report-col-published"),
    ("published_on_time", "report-col-published-on-time"),
];

/// One cell: its text, its value when it is a count (the spreadsheet's number), and the
/// link to the PAKN it counts.
#[derive(Debug, Clone)]
pub struct Cell {
    pub id: &'static str,
    pub text: String,
    pub number: Option<f64>,
    pub href: Option<String>,
}

/// One row of a table: the line's name and its cells.
#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    pub cells: Vec<Cell>,
}

/// The headings: the grouping's, then the figures'.
pub fn headings(t: &Tr, grouping: Grouping) -> Vec<String> {
    std::iter::once(t.t(&format!("report-by-{}", grouping.as_str())))
        .chain(COLUMNS.iter().map(|(_, id)| t.t(id)))
        .collect()
}

fn count(f: &Figures, id: &str) -> Option<i64> {
    Some(match id {
        "received" => f.received,
        "accepted" => f.accepted,
        "refused" => f.refused,
        "out_of_scope" => f.out_of_scope,
        "transferred" => f.transferred,
        "withdrawn" => f.withdrawn,
        "on_time" => f.on_time,
        "late" => f.late,
        "open" => f.open,
        "overdue" => f.overdue,
        "not_yet_due" => f.not_yet_due(),
        "info_requested" => f.info_requested,
        "satisfied" => f.satisfied,
        "neutral" => f.neutral,
        "unsatisfied" => f.unsatisfied,
        "reopened" => f.reopened,
        "published" => f.published,
        "published_on_time" => f.published_on_time,
        _ => return None,
    })
}

/// The row of `line` (links only on screen: `links`).
pub fn row(t: &Tr, selection: &Selection, line: &Line, links: bool) -> Row {
    let f = &line.figures;
    let cells = COLUMNS
        .iter()
        .map(|(id, _)| {
            let (text, number) = match (*id, count(f, id)) {
                (_, Some(n)) => (n.to_string(), Some(n as f64)),
                ("rate", _) => (rate(t, f), f.on_time_permille().map(|p| p as f64 / 1000.0)),
                ("median", _) => (days(f.median_days()), f.median_days().map(|d| d as f64)),
                (_, None) => (days(f.p90_days()), f.p90_days().map(|d| d as f64)),
            };
            let href = (links && number.is_some_and(|n| n > 0.0))
                .then(|| queue_link(selection, &line.key, id))
                .flatten();
            Cell {
                id,
                text,
                number,
                href,
            }
        })
        .collect();
    Row {
        label: line.label.clone(),
        cells,
    }
}

/// Every row of a report, then the totals row.
pub fn rows(t: &Tr, report: &Report, links: bool) -> (Vec<Row>, Row) {
    let s = &report.selection;
    let lines = report.lines.iter().map(|l| row(t, s, l, links)).collect();
    (lines, row(t, s, &report.total, links))
}

/// The period's name: "6 tháng đầu năm 2026", "Quý I/2026", "Tháng 03/2026", …
pub fn period_name(t: &Tr, selection: &Selection) -> String {
    match selection.period {
        Period::Month(y, m) => t.t2(
            "report-month",
            "month",
            format!("{m:02}"),
            "year",
            y.to_string(),
        ),
        Period::Quarter(y, q) => t.t2("report-quarter", "quarter", roman(q), "year", y.to_string()),
        Period::Half(y, h) => t.t1(&format!("report-half-{h}"), "year", y.to_string()),
        Period::Year(y) => t.t1("report-year", "year", y.to_string()),
        Period::Range(f, to) => t.t2(
            "report-range",
            "from",
            format_date(f),
            "to",
            format_date(to),
        ),
    }
}

fn roman(q: u32) -> String {
    ["I", "II", "III", "IV"]
        .get(q.saturating_sub(1) as usize)
        .map_or_else(|| q.to_string(), |s| (*s).to_string())
}

/// The written summary of the key figures (received, answered, on-time rate, open and
/// overdue).
pub fn summary(t: &Tr, total: &Figures) -> String {
    let n = |v: i64| FluentValue::from(v.to_string());
    t.tn(
        "report-summary",
        vec![
            ("received", n(total.received)),
            ("answered", n(total.answered())),
            ("on_time", n(total.on_time)),
            ("rate", FluentValue::from(rate(t, total))),
            ("open", n(total.open)),
            ("overdue", n(total.overdue)),
        ],
    )
}
