//! A report as the pages and files show it: what was asked (period, basis, grouping),
//! one line of figures per unit, lĩnh vực, content category, channel or kind, and the
//! totals line, each figure with the link to the queue of the PAKN it counts. Built
//! from the aggregates and the open tickets' index (`db::reports`), never a scan.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Utc};
use serde::Deserialize;

use crate::db::reports;
use crate::domain::calendar::{end_of_day_utc, format_date, local_date};
use crate::domain::feedback::{Channel, FeedbackKind};
use crate::domain::reference::Reference;
use crate::domain::report::{Basis, Figures, Grouping, Period, format_permille};
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::date::parse_date;
use crate::web::kit::error::AppResult;

/// The query string of the report pages and files, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReportParams {
    /// `2026`, `2026-H1`, `2026-Q2`, `2026-05`, or `range` with `from` and `to`.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// `receipt` or `event`.
    pub basis: Option<String>,
    /// `unit`, `field`, `category`, `channel` or `kind`.
    pub by: Option<String>,
}

/// What a report covers, with the defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub period: Period,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub basis: Basis,
    pub grouping: Grouping,
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ReportParams {
    /// The selection asked for; by default the current half-year by receipt, by unit.
    /// A range longer than ten years or reversed falls back to the default period.
    pub fn selection(&self, today: NaiveDate) -> Selection {
        let range = match (
            some(&self.from).and_then(parse_date),
            some(&self.to).and_then(parse_date),
        ) {
            (Some(f), Some(t)) if f <= t && (t - f).num_days() <= 3660 => Some(Period::Range(f, t)),
            _ => None,
        };
        let period = match some(&self.period) {
            Some("range") | None if range.is_some() => range,
            Some(code) => Period::parse(code),
            None => None,
        }
        .unwrap_or_else(|| Period::half_of(today));
        let (from, to) = period
            .bounds()
            .unwrap_or((today.with_day(1).unwrap_or(today), today));
        Selection {
            period,
            from,
            to,
            basis: some(&self.basis).and_then(Basis::parse).unwrap_or_default(),
            grouping: some(&self.by).and_then(Grouping::parse).unwrap_or_default(),
        }
    }
}

impl Selection {
    /// The query string of this selection (for the other formats of the same report).
    pub fn query(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        match self.period {
            Period::Range(f, t) => {
                s.append_pair("period", "range");
                s.append_pair("from", &f.to_string());
                s.append_pair("to", &t.to_string());
            }
            p => {
                s.append_pair("period", &p.code());
            }
        }
        s.append_pair("basis", self.basis.as_str());
        s.append_pair("by", self.grouping.as_str());
        s.finish()
    }

    /// "01/01/2026 – 30/06/2026".
    pub fn dates(&self) -> String {
        format!("{} – {}", format_date(self.from), format_date(self.to))
    }
}

/// One line of a report.
#[derive(Debug, Clone)]
pub struct Line {
    /// The unit id or code the line is for (empty for the totals).
    pub key: String,
    pub label: String,
    pub figures: Figures,
}

/// A whole report: the selection, the lines and the totals.
#[derive(Debug, Clone)]
pub struct Report {
    pub selection: Selection,
    pub lines: Vec<Line>,
    pub total: Line,
}

/// Builds the report of `selection` for a viewer limited to `scope` (one unit, or all).
pub async fn build(
    state: &AppState,
    t: &Tr,
    selection: Selection,
    scope: Option<i32>,
) -> AppResult<Report> {
    let mut conn = state.reads.get().await?;
    let range = (selection.from, selection.to);
    let today = local_date(Utc::now());
    let rows = reports::metric_rows(
        &mut conn,
        selection.basis,
        range,
        today,
        scope,
        selection.grouping,
    )
    .await?;
    let instants = (
        end_of_day_utc(selection.from) - chrono::Duration::days(1),
        end_of_day_utc(selection.to),
    );
    let open = reports::open_rows(&mut conn, instants, scope, selection.grouping, today).await?;
    drop(conn);
    let mut by_key: BTreeMap<String, Figures> = BTreeMap::new();
    for r in rows {
        by_key.entry(r.key).or_default().add(&r.metric, r.n);
    }
    for o in open {
        let f = by_key.entry(o.key).or_default();
        f.open += o.open;
        f.overdue += o.overdue;
    }
    let reference = state.reference.get();
    Ok(assemble(t, &reference, selection, by_key))
}

/// The trend of the selection's period: received and answered per month, or per week
/// for a period of a few weeks (then `true`).
pub async fn trend(
    state: &AppState,
    selection: &Selection,
    scope: Option<i32>,
) -> AppResult<(Vec<reports::TrendRow>, bool)> {
    let weekly = super::charts::weekly(selection.from, selection.to);
    let today = local_date(Utc::now());
    let mut conn = state.reads.get().await?;
    let rows = reports::trend_rows(
        &mut conn,
        (selection.from, selection.to),
        today,
        scope,
        weekly,
    )
    .await?;
    Ok((rows, weekly))
}

/// The lines in the reference data's order (then any other key), and the totals.
fn assemble(
    t: &Tr,
    reference: &Reference,
    selection: Selection,
    mut by_key: BTreeMap<String, Figures>,
) -> Report {
    let mut lines = Vec::new();
    for key in ordered_keys(reference, selection.grouping) {
        if let Some(figures) = by_key.remove(&key) {
            let label = label(t, reference, selection.grouping, &key);
            lines.push(Line {
                key,
                label,
                figures,
            });
        }
    }
    for (key, figures) in by_key {
        let label = label(t, reference, selection.grouping, &key);
        lines.push(Line {
            key,
            label,
            figures,
        });
    }
    let mut total = Figures::default();
    for l in &lines {
        total.merge(&l.figures);
    }
    Report {
        selection,
        lines,
        total: Line {
            key: String::new(),
            label: t.t("staff-total"),
            figures: total,
        },
    }
}

fn ordered_keys(reference: &Reference, grouping: Grouping) -> Vec<String> {
    match grouping {
        Grouping::Unit => reference.units.iter().map(|u| u.id.to_string()).collect(),
        Grouping::Field => reference.fields.iter().map(|f| f.code.clone()).collect(),
        Grouping::Category => reference
            .categories
            .iter()
            .map(|c| c.code.clone())
            .collect(),
        Grouping::Channel => Channel::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        Grouping::Kind => FeedbackKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
    }
}

/// The name of a line's key in the viewer's language.
pub fn label(t: &Tr, reference: &Reference, grouping: Grouping, key: &str) -> String {
    let name = match grouping {
        Grouping::Unit => key
            .parse::<i32>()
            .ok()
            .and_then(|id| reference.unit(id))
            .map(|u| t.pick(&u.name_vi, &u.name_en).to_string()),
        Grouping::Field => reference
            .field(key)
            .map(|f| t.pick(&f.name_vi, &f.name_en).to_string()),
        Grouping::Category => reference
            .category(key)
            .map(|c| t.pick(&c.name_vi, &c.name_en).to_string()),
        Grouping::Channel => Channel::parse(key).map(|c| t.t(&c.message_id("channel"))),
        Grouping::Kind => FeedbackKind::parse(key).map(|k| t.t(&k.message_id("kind"))),
    };
    name.unwrap_or_else(|| key.to_string())
}

/// A rate for people: "87,5%" (Vietnamese) or "87.5%", or "–" when nothing was answered.
pub fn rate(t: &Tr, figures: &Figures) -> String {
    figures
        .on_time_permille()
        .map(|p| format_permille(p, t.code() == "vi"))
        .unwrap_or_else(|| "–".to_string())
}

/// A count of working days for people, or "–".
pub fn days(v: Option<i64>) -> String {
    v.map(|d| d.to_string()).unwrap_or_else(|| "–".to_string())
}

/// The link to the queue of the PAKN a figure counts, when the queue can name them.
pub fn queue_link(selection: &Selection, key: &str, figure: &str) -> Option<String> {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    if !key.is_empty() {
        s.append_pair(selection.grouping.as_str(), key);
    }
    let (from, to) = (selection.from.to_string(), selection.to.to_string());
    let receipt = selection.basis == Basis::Receipt;
    let received_in_period = |s: &mut url::form_urlencoded::Serializer<String>| {
        s.append_pair("from", &from);
        s.append_pair("to", &to);
    };
    match figure {
        "received" => {
            received_in_period(&mut s);
            s.append_pair("state", "all");
        }
        "open" => {
            received_in_period(&mut s);
            s.append_pair("state", "open");
        }
        "overdue" => {
            received_in_period(&mut s);
            s.append_pair("due", "overdue");
        }
        "on_time" | "late" => {
            if receipt {
                received_in_period(&mut s);
            } else {
                s.append_pair("answered_from", &selection.from.to_string());
                s.append_pair("answered_to", &selection.to.to_string());
            }
            s.append_pair("outcome", figure);
            s.append_pair("state", "all");
        }
        "accepted" | "refused" | "out_of_scope" | "transferred" | "withdrawn"
        | "info_requested" | "reopened" | "satisfied" | "neutral" | "unsatisfied" | "published" => {
            // The PAKN that saw the fact: received in the period (by receipt), or with
            // the fact in the period (by date of handling). A PAKN asked twice for
            // information counts twice in the figure and is listed once.
            if receipt {
                received_in_period(&mut s);
            } else {
                s.append_pair("fact_from", &from);
                s.append_pair("fact_to", &to);
            }
            s.append_pair("fact", figure);
            s.append_pair("state", "all");
        }
        _ => return None,
    }
    Some(format!("/staff/tickets?{}", s.finish()))
}

/// The years offered in the period list: this year and the two before.
pub fn years(today: NaiveDate) -> Vec<i32> {
    (0..3).map(|n| today.year() - n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn params(period: &str, from: &str, to: &str) -> ReportParams {
        ReportParams {
            period: Some(period.into()),
            from: Some(from.into()),
            to: Some(to.into()),
            ..ReportParams::default()
        }
    }

    #[test]
    fn selections_default_to_the_current_half_year() {
        let today = d(2026, 8, 14);
        let s = ReportParams::default().selection(today);
        assert_eq!((s.from, s.to), (d(2026, 7, 1), d(2026, 12, 31)));
        let s = params("2026-Q1", "", "").selection(today);
        assert_eq!((s.from, s.to), (d(2026, 1, 1), d(2026, 3, 31)));
        let s = params("range", "2026-02-10", "2026-02-20").selection(today);
        assert_eq!((s.from, s.to), (d(2026, 2, 10), d(2026, 2, 20)));
        // A reversed range is ignored.
        let s = params("range", "2026-02-20", "2026-02-10").selection(today);
        assert_eq!(s.period, Period::Half(2026, 2));
        assert_eq!(
            Selection { ..s }.query(),
            "period=2026-H2&basis=receipt&by=unit"
        );
    }

    #[test]
    fn figures_link_to_the_queue() {
        let s = params("2026-H1", "", "").selection(d(2026, 8, 1));
        assert_eq!(
            queue_link(&s, "3", "received").unwrap(),
            "/staff/tickets?unit=3&from=2026-01-01&to=2026-06-30&state=all"
        );
        assert_eq!(
            queue_link(&s, "", "accepted").unwrap(),
            "/staff/tickets?from=2026-01-01&to=2026-06-30&fact=accepted&state=all"
        );
        assert!(
            queue_link(&s, "", "median").is_none(),
            "not a count of PAKN"
        );
        assert!(queue_link(&s, "", "published_on_time").is_none());
        let event = Selection {
            basis: Basis::Event,
            ..s
        };
        assert!(
            queue_link(&event, "", "late")
                .unwrap()
                .contains("answered_from=2026-01-01&answered_to=2026-06-30&outcome=late")
        );
        assert_eq!(
            queue_link(&event, "field-x", "satisfied").unwrap(),
            "/staff/tickets?unit=field-x&fact_from=2026-01-01&fact_to=2026-06-30\
             &fact=satisfied&state=all"
        );
    }
}
