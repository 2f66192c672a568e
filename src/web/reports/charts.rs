//! The report's charts (issue 18, item 3), drawn with [`crate::web::kit::chart`]: PAKN
//! received and answered per month of the period (per week for a period of a few
//! weeks), the on-time rate and the PAKN received per line of the report (unit,
//! lĩnh vực, …), and the citizens' satisfaction. Each comes with its data table.

use chrono::{Datelike, NaiveDate};

use super::model::Report;
use crate::db::reports::TrendRow;
use crate::i18n::Tr;
use crate::web::kit::chart::{
    BarChart, Numbers, Orientation, PageChart, Part, Series, ShareChart, Unit,
};

/// At most this many lines in a ranking (the table lists them all).
const TOP: usize = 10;

/// A period up to this many days long is drawn per week.
pub const WEEKLY_UP_TO_DAYS: i64 = 62;

/// Whether `from..=to` is drawn per week.
pub fn weekly(from: NaiveDate, to: NaiveDate) -> bool {
    (to - from).num_days() < WEEKLY_UP_TO_DAYS
}

/// The four charts of `report`, whose trend is `trend` (weekly or not).
pub fn build(
    t: &Tr,
    numbers: Numbers,
    report: &Report,
    trend: &[TrendRow],
    weekly: bool,
    period: &str,
) -> Vec<PageChart> {
    let by = t
        .t(&format!("report-by-{}", report.selection.grouping.as_str()))
        .to_lowercase();
    vec![
        trend_chart(t, numbers, trend, weekly, period),
        on_time(t, numbers, report, &by, period),
        received(t, numbers, report, &by, period),
        satisfaction(t, numbers, report, period),
    ]
}

fn trend_chart(
    t: &Tr,
    numbers: Numbers,
    trend: &[TrendRow],
    weekly: bool,
    period: &str,
) -> PageChart {
    let label = |d: NaiveDate| {
        if weekly {
            format!("{:02}/{:02}", d.day(), d.month())
        } else {
            format!("{:02}/{}", d.month(), d.year())
        }
    };
    let (title_id, desc_id) = if weekly {
        ("report-chart-weeks", "report-chart-weeks-desc")
    } else {
        ("report-chart-months", "report-chart-months-desc")
    };
    let chart = BarChart {
        id: "report-chart-trend".into(),
        title: t.t(title_id),
        desc: t.t1(desc_id, "period", period.to_string()),
        categories: trend.iter().map(|r| label(r.bucket)).collect(),
        series: vec![
            Series {
                label: t.t("report-col-received"),
                values: trend.iter().map(|r| r.received as f64).collect(),
            },
            Series {
                label: t.t("report-chart-answered"),
                values: trend.iter().map(|r| r.answered as f64).collect(),
            },
        ],
        unit: Unit::Count,
        orientation: Orientation::Columns,
        numbers,
    };
    chart.page(trend.iter().all(|r| r.received == 0 && r.answered == 0))
}

fn on_time(t: &Tr, numbers: Numbers, report: &Report, by: &str, period: &str) -> PageChart {
    let mut lines: Vec<(&str, f64)> = report
        .lines
        .iter()
        .filter(|l| l.figures.on_time + l.figures.late > 0)
        .map(|l| {
            let answered = (l.figures.on_time + l.figures.late) as f64;
            (
                l.label.as_str(),
                100.0 * l.figures.on_time as f64 / answered,
            )
        })
        .collect();
    lines.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    lines.truncate(TOP);
    ranking(
        numbers,
        (
            "report-chart-on-time",
            t.t1("report-chart-on-time", "by", by.to_string()),
        ),
        t.t2(
            "report-chart-on-time-desc",
            "by",
            by.to_string(),
            "period",
            period.to_string(),
        ),
        (t.t("report-col-rate"), Unit::Percent),
        lines,
    )
}

fn received(t: &Tr, numbers: Numbers, report: &Report, by: &str, period: &str) -> PageChart {
    let mut lines: Vec<(&str, f64)> = report
        .lines
        .iter()
        .filter(|l| l.figures.received > 0)
        .map(|l| (l.label.as_str(), l.figures.received as f64))
        .collect();
    lines.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    lines.truncate(TOP);
    ranking(
        numbers,
        (
            "report-chart-received",
            t.t1("report-chart-received", "by", by.to_string()),
        ),
        t.t2(
            "report-chart-received-desc",
            "by",
            by.to_string(),
            "period",
            period.to_string(),
        ),
        (t.t("report-col-received"), Unit::Count),
        lines,
    )
}

/// A horizontal ranking of the report's lines.
fn ranking(
    numbers: Numbers,
    (id, title): (&'static str, String),
    desc: String,
    (series, unit): (String, Unit),
    lines: Vec<(&str, f64)>,
) -> PageChart {
    BarChart::ranking((id, title, desc), series, &lines, unit, numbers).page(lines.is_empty())
}

fn satisfaction(t: &Tr, numbers: Numbers, report: &Report, period: &str) -> PageChart {
    let f = &report.total.figures;
    let part = |id: &str, v: i64| Part {
        label: t.t(id),
        value: v as f64,
    };
    let chart = ShareChart {
        id: "report-chart-satisfaction".into(),
        title: t.t("report-chart-satisfaction"),
        desc: t.t1(
            "report-chart-satisfaction-desc",
            "period",
            period.to_string(),
        ),
        parts: vec![
            part("report-col-satisfied", f.satisfied),
            part("report-col-neutral", f.neutral),
            part("report-col-unsatisfied", f.unsatisfied),
        ],
        numbers,
    };
    chart.page(f.satisfied + f.neutral + f.unsatisfied == 0)
}
