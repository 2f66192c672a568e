//! The overview's charts, drawn with [`crate::web::kit::chart`]: received and answered
//! per month of receipt (the last 12 months), the on-time rate per unit, the busiest
//! lĩnh vực and the citizens' satisfaction in the period.

use chrono::{Datelike, NaiveDate};

use super::overview::Line;
use super::overview_period::add_months;
use crate::db::overview::MonthLine;
use crate::i18n::Tr;
use crate::web::kit::chart::{
    BarChart, Numbers, Orientation, PageChart, Part, Series, ShareChart, Unit,
};

/// At most this many lĩnh vực in the ranking (the tables list them all).
const BUSIEST: usize = 10;

/// What every chart of the page needs.
pub struct ChartCx<'a> {
    pub t: &'a Tr,
    pub numbers: Numbers,
    /// The period as the page names it.
    pub period: &'a str,
}

/// Received and answered (on time or late) of the PAKN received in each of the last 12
/// months, this one included.
pub fn per_month(cx: &ChartCx, months: &[MonthLine], today: NaiveDate) -> PageChart {
    let this_month = today.with_day(1).unwrap_or(today);
    let firsts: Vec<NaiveDate> = (0..12).rev().map(|n| add_months(this_month, -n)).collect();
    let sum = |month: NaiveDate, f: fn(&MonthLine) -> i64| -> f64 {
        months
            .iter()
            .filter(|m| m.month == month)
            .map(f)
            .sum::<i64>() as f64
    };
    let received: Vec<f64> = firsts.iter().map(|m| sum(*m, |l| l.received)).collect();
    let answered: Vec<f64> = firsts
        .iter()
        .map(|m| sum(*m, |l| l.on_time + l.late))
        .collect();
    let empty = received.iter().all(|v| *v == 0.0);
    let chart = BarChart {
        id: "chart-per-month".into(),
        title: cx.t.t("overview-chart-per-month"),
        desc: cx.t.t("overview-chart-per-month-desc"),
        categories: firsts
            .iter()
            .map(|m| format!("{:02}/{}", m.month(), m.year()))
            .collect(),
        series: vec![
            Series {
                label: cx.t.t("overview-received"),
                values: received,
            },
            Series {
                label: cx.t.t("overview-answered"),
                values: answered,
            },
        ],
        unit: Unit::Count,
        orientation: Orientation::Columns,
        numbers: cx.numbers,
    };
    chart.page(empty)
}

/// The share of the answers given on time, per unit that answered any PAKN received in
/// the period, best first.
pub fn on_time_by_unit(cx: &ChartCx, units: &[Line]) -> PageChart {
    let mut rated: Vec<(&str, f64)> = units
        .iter()
        .filter(|l| l.answered() > 0)
        .map(|l| {
            (
                l.name.as_str(),
                100.0 * l.on_time as f64 / l.answered() as f64,
            )
        })
        .collect();
    rated.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let title = cx.t.t("overview-chart-on-time");
    ranking(
        cx,
        ("chart-on-time", title, "overview-chart-on-time-desc"),
        cx.t.t("overview-on-time-rate"),
        rated,
        Unit::Percent,
    )
}

/// The lĩnh vực that received the most PAKN in the period.
pub fn busiest_fields(cx: &ChartCx, fields: &[Line]) -> PageChart {
    let mut busy: Vec<(&str, f64)> = fields
        .iter()
        .filter(|l| l.received > 0)
        .map(|l| (l.name.as_str(), l.received as f64))
        .collect();
    busy.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    busy.truncate(BUSIEST);
    let title = cx.t.t("overview-chart-fields");
    ranking(
        cx,
        ("chart-fields", title, "overview-chart-fields-desc"),
        cx.t.t("overview-received"),
        busy,
        Unit::Count,
    )
}

/// A horizontal ranking: (id, title, Fluent id of the description).
fn ranking(
    cx: &ChartCx,
    (id, title, desc_id): (&'static str, String, &str),
    series: String,
    lines: Vec<(&str, f64)>,
    unit: Unit,
) -> PageChart {
    let desc = cx.t.t1(desc_id, "period", cx.period.to_string());
    BarChart::ranking((id, title, desc), series, &lines, unit, cx.numbers).page(lines.is_empty())
}

/// The citizens' ratings of the PAKN received in the period.
pub fn satisfaction(cx: &ChartCx, total: &Line) -> PageChart {
    let part = |id: &str, v: i64| Part {
        label: cx.t.t(id),
        value: v as f64,
    };
    let chart = ShareChart {
        id: "chart-satisfaction".into(),
        title: cx.t.t("overview-chart-satisfaction"),
        desc: cx.t.t1(
            "overview-chart-satisfaction-desc",
            "period",
            cx.period.to_string(),
        ),
        parts: vec![
            part("rating-satisfied", total.satisfied),
            part("rating-neutral", total.neutral),
            part("rating-unsatisfied", total.unsatisfied),
        ],
        numbers: cx.numbers,
    };
    chart.page(total.rated() == 0)
}
