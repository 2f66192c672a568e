//! Charts drawn on the server as SVG strings: no JavaScript, they print, and they read
//! without colour (every value is printed, or in a bar's `<title>` and the data table).
//! Pure functions, no I/O; every text put into the SVG or the table is escaped.
//!
//! Each chart is `<svg role="img" aria-labelledby="{id}-title {id}-desc"
//! viewBox="…" width="100%">` with a `<title>` and a `<desc>`, and comes with an HTML
//! `<table>` of the same figures ([`ChartView::table`]) that the page shows under a
//! `<details>` (the text alternative for screen readers, and the figures for those
//! who want them exact). The `id` must be unique on the page.
//!
//! ```ignore
//! use crate::web::kit::chart::{BarChart, Orientation, Series, ShareChart, Part, Unit};
//!
//! // Columns: one or two series per category (received and answered per month).
//! let view = BarChart {
//!     id: "per-month".into(),
//!     title: "Tiếp nhận và trả lời theo tháng".into(),
//!     desc: "12 tháng gần nhất".into(),
//!     categories: vec!["01/2026".into(), "02/2026".into()],
//!     series: vec![
//!         Series { label: "Tiếp nhận".into(), values: vec![120.0, 98.0] },
//!         Series { label: "Đã trả lời".into(), values: vec![110.0, 60.0] },
//!     ],
//!     unit: Unit::Count,
//!     orientation: Orientation::Columns,
//!     numbers: Numbers::Vi,
//! }
//! .render();
//! // Rows: a ranking (busiest lĩnh vực; on-time rate per unit with Unit::Percent,
//! // values 0–100, the value printed at the bar's end).
//! // ShareChart { id, title, desc, parts: vec![Part { label, value }], numbers }.render():
//! // one bar split into shares (satisfied, neutral, unsatisfied) with a legend giving
//! // each part's count and percentage.
//! ```
//!
//! In a template: `{{ view.svg|safe }}` then
//! `<details class="chart-data"><summary>…</summary>{{ view.table|safe }}</details>`.

use std::fmt::Write;

use super::markup::escape as esc;
use super::numbers::group_digits;

/// What the values are: counts (axis from 0 to a round number above the largest) or
/// percentages (axis 0–100, values printed with a `%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Percent,
}

/// How numbers are written: `1.234` and `85,5 %` (Vietnamese) or `1,234` and `85.5 %`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Numbers {
    #[default]
    Vi,
    En,
}

impl Numbers {
    /// How the language of `t` writes numbers.
    pub fn of(t: &crate::i18n::Tr) -> Numbers {
        if t.code() == "vi" {
            Numbers::Vi
        } else {
            Numbers::En
        }
    }
}

/// Columns rise from a horizontal axis (a trend); rows run from the left (a ranking,
/// whose long names need the width).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Columns,
    Rows,
}

/// A chart as a page shows it (`templates/_chart.html`): its heading, the drawing and its
/// data table, or a sentence when there is nothing to draw.
pub struct PageChart {
    /// Unique on the page: the section's test id and the heading's id.
    pub id: String,
    pub title: String,
    pub view: ChartView,
    pub empty: bool,
}

/// One series of values, one per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// A bar chart of one or more series over categories.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Unique on the page: `[a-z0-9-]` (anything else becomes `-`).
    pub id: String,
    pub title: String,
    /// What the chart shows, said in words (read by screen readers).
    pub desc: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub unit: Unit,
    pub orientation: Orientation,
    pub numbers: Numbers,
}

/// One share of a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub label: String,
    pub value: f64,
}

/// One bar split into the shares of a whole (satisfied, neutral, unsatisfied), with a
/// legend that prints each part's value and percentage.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareChart {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub parts: Vec<Part>,
    pub numbers: Numbers,
}

/// A chart ready for a page: the SVG and the table of its figures (both HTML-safe).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChartView {
    pub svg: String,
    pub table: String,
}

/// Fills that keep at least 3:1 against white and against each other's neighbours; a
/// second series is also hatched, so that print in grey tells them apart.
const FILLS: [&str; 4] = ["#1f4e79", "#b35900", "#2e7d32", "#6a1b9a"];
const SHARE_FILLS: [&str; 4] = ["#2e7d32", "#6b6b6b", "#b3261e", "#1f4e79"];
const TEXT: &str = "#1a1a1a";
const GRID: &str = "#c8c8c8";
/// Width of the drawing in its own units; it scales to the page (`width="100%"`).
const WIDTH: f64 = 480.0;
/// Font size in drawing units: at 360 px wide the chart scales by 0.7, so about 9 px.
const FONT: f64 = 13.0;
/// The width of an average character at [`FONT`] (for truncating and fitting labels).
const CHAR_W: f64 = 7.0;

impl BarChart {
    /// A ranking: one series of `(name, value)` lines, drawn as rows in the order given.
    pub fn ranking(
        (id, title, desc): (&str, String, String),
        series: String,
        lines: &[(&str, f64)],
        unit: Unit,
        numbers: Numbers,
    ) -> BarChart {
        BarChart {
            id: id.to_string(),
            title,
            desc,
            categories: lines.iter().map(|(n, _)| n.to_string()).collect(),
            series: vec![Series {
                label: series,
                values: lines.iter().map(|(_, v)| *v).collect(),
            }],
            unit,
            orientation: Orientation::Rows,
            numbers,
        }
    }

    /// The chart as a page shows it; `empty` says there is nothing to draw.
    pub fn page(&self, empty: bool) -> PageChart {
        PageChart {
            id: self.id.clone(),
            title: self.title.clone(),
            view: self.render(),
            empty,
        }
    }

    pub fn render(&self) -> ChartView {
        ChartView {
            svg: match self.orientation {
                Orientation::Columns => self.columns_svg(),
                Orientation::Rows => self.rows_svg(),
            },
            table: self.table(),
        }
    }

    /// The largest value the axis reaches.
    fn axis_max(&self) -> f64 {
        match self.unit {
            Unit::Percent => 100.0,
            Unit::Count => nice_max(
                self.series
                    .iter()
                    .flat_map(|s| s.values.iter().copied())
                    .fold(0.0, f64::max),
            ),
        }
    }

    fn value(&self, s: &Series, i: usize) -> f64 {
        clean(s.values.get(i).copied().unwrap_or(0.0))
    }

    fn columns_svg(&self) -> String {
        let (left, top, bottom) = (44.0, 12.0, 40.0);
        let legend = if self.series.len() > 1 { 24.0 } else { 0.0 };
        let plot_h = 200.0;
        let height = top + legend + plot_h + bottom;
        let base = top + legend + plot_h;
        let max = self.axis_max();
        let mut out = open_svg(&self.id, &self.title, &self.desc, height);
        if self.series.len() > 1 {
            out.push_str(&patterns(&self.id));
        }
        out.push_str(&self.legend(top));
        for tick in ticks(max, self.unit) {
            let y = base - plot_h * tick / max;
            let _ = write!(
                out,
                r#"<line x1="{left}" x2="{WIDTH}" y1="{y:.1}" y2="{y:.1}" stroke="{GRID}" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11" fill="{TEXT}">{}</text>"#,
                left - 4.0,
                y + 4.0,
                number(tick, self.unit, self.numbers)
            );
        }
        let n = self.categories.len().max(1) as f64;
        let slot = (WIDTH - left) / n;
        let k = self.series.len().max(1) as f64;
        let bar_w = (slot * 0.8 / k).max(1.0);
        let label_every = (CHAR_W * 7.5 / slot).ceil().max(1.0) as usize;
        for (i, category) in self.categories.iter().enumerate() {
            let x0 = left + slot * i as f64 + slot * 0.1;
            for (j, s) in self.series.iter().enumerate() {
                let v = self.value(s, i);
                let h = plot_h * (v / max).clamp(0.0, 1.0);
                let x = x0 + bar_w * j as f64;
                let text = number(v, self.unit, self.numbers);
                let _ = write!(
                    out,
                    r#"<g><title>{}, {}: {}</title><rect x="{x:.1}" y="{:.1}" width="{bar_w:.1}" height="{h:.1}" fill="{}" stroke="{TEXT}" stroke-width="0.5"/>"#,
                    esc(category),
                    esc(&s.label),
                    esc(&text),
                    base - h,
                    fill(&self.id, j)
                );
                if (text.chars().count() as f64) * 5.6 <= bar_w + 1.0 {
                    let _ = write!(
                        out,
                        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="{TEXT}">{}</text>"#,
                        x + bar_w / 2.0,
                        base - h - 3.0,
                        esc(&text)
                    );
                }
                out.push_str("</g>");
            }
            if i % label_every == 0 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="{TEXT}">{}</text>"#,
                    left + slot * (i as f64 + 0.5),
                    base + 16.0,
                    esc(&truncate(
                        category,
                        (slot * label_every as f64 / 6.0) as usize
                    ))
                );
            }
        }
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{WIDTH}" y1="{base}" y2="{base}" stroke="{TEXT}" stroke-width="1"/>"#
        );
        out.push_str("</svg>");
        out
    }

    /// Swatches naming the series (when there is more than one), along the top.
    fn legend(&self, top: f64) -> String {
        if self.series.len() < 2 {
            return String::new();
        }
        let mut out = String::new();
        let mut x = 44.0;
        for (j, s) in self.series.iter().enumerate() {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="14" height="14" fill="{}" stroke="{TEXT}" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" font-size="{FONT}" fill="{TEXT}">{}</text>"#,
                top,
                fill(&self.id, j),
                x + 19.0,
                top + 12.0,
                esc(&s.label)
            );
            x += 19.0 + CHAR_W * s.label.chars().count() as f64 + 18.0;
        }
        out
    }

    /// One row per category: its name (truncated, whole in the bar's `<title>`), the
    /// bar, and the value at the bar's end. The first series only.
    fn rows_svg(&self) -> String {
        let row_h = 26.0;
        let label_w = WIDTH * 0.42;
        let value_w = 56.0;
        let bar_space = WIDTH - label_w - value_w;
        let height = (row_h * self.categories.len() as f64).max(row_h) + 8.0;
        let max = self.axis_max();
        let mut out = open_svg(&self.id, &self.title, &self.desc, height);
        let empty = Series {
            label: String::new(),
            values: Vec::new(),
        };
        let s = self.series.first().unwrap_or(&empty);
        let max_chars = ((label_w - 8.0) / CHAR_W) as usize;
        for (i, category) in self.categories.iter().enumerate() {
            let y = 4.0 + row_h * i as f64;
            let v = self.value(s, i);
            let w = bar_space * (v / max).clamp(0.0, 1.0);
            let text = number(v, self.unit, self.numbers);
            let _ = write!(
                out,
                r#"<g><title>{}: {}</title><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="{FONT}" fill="{TEXT}">{}</text><rect x="{label_w:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="{FONT}" font-weight="bold" fill="{TEXT}">{}</text></g>"#,
                esc(category),
                esc(&text),
                label_w - 6.0,
                y + 17.0,
                esc(&truncate(category, max_chars)),
                y + 4.0,
                row_h - 8.0,
                FILLS[0],
                label_w + w + 4.0,
                y + 17.0,
                esc(&text)
            );
        }
        let _ = write!(
            out,
            r#"<line x1="{label_w:.1}" x2="{label_w:.1}" y1="2" y2="{:.1}" stroke="{TEXT}" stroke-width="1"/></svg>"#,
            height - 2.0
        );
        out
    }

    /// The figures as an HTML table: a row per category, a column per series.
    fn table(&self) -> String {
        let mut out = format!(
            r#"<table class="chart-table"><caption>{}</caption><thead><tr><th scope="col"></th>"#,
            esc(&self.title)
        );
        for s in &self.series {
            let _ = write!(out, r#"<th scope="col">{}</th>"#, esc(&s.label));
        }
        out.push_str("</tr></thead><tbody>");
        for (i, category) in self.categories.iter().enumerate() {
            let _ = write!(out, r#"<tr><th scope="row">{}</th>"#, esc(category));
            for s in &self.series {
                let v = number(self.value(s, i), self.unit, self.numbers);
                let _ = write!(out, "<td>{}</td>", esc(&v));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
        out
    }
}

impl ShareChart {
    /// The chart as a page shows it; `empty` says there is nothing to draw.
    pub fn page(&self, empty: bool) -> PageChart {
        PageChart {
            id: self.id.clone(),
            title: self.title.clone(),
            view: self.render(),
            empty,
        }
    }

    pub fn render(&self) -> ChartView {
        ChartView {
            svg: self.svg(),
            table: self.table(),
        }
    }

    fn total(&self) -> f64 {
        self.parts.iter().map(|p| clean(p.value)).sum()
    }

    /// `value (pct %)` of a part.
    fn figure(&self, value: f64) -> String {
        let total = self.total();
        let pct = if total > 0.0 {
            100.0 * value / total
        } else {
            0.0
        };
        format!(
            "{} ({})",
            number(value, Unit::Count, self.numbers),
            number(pct, Unit::Percent, self.numbers)
        )
    }

    fn svg(&self) -> String {
        let bar_h = 36.0;
        let legend_row = 22.0;
        let height = 8.0 + bar_h + 12.0 + legend_row * self.parts.len() as f64;
        let mut out = open_svg(&self.id, &self.title, &self.desc, height);
        let total = self.total();
        let mut x = 0.0;
        if total <= 0.0 {
            let _ = write!(
                out,
                r#"<rect x="0" y="8" width="{WIDTH}" height="{bar_h}" fill="none" stroke="{GRID}" stroke-width="1"/>"#
            );
        }
        for (i, p) in self.parts.iter().enumerate() {
            let v = clean(p.value);
            let w = if total > 0.0 { WIDTH * v / total } else { 0.0 };
            let fill = SHARE_FILLS[i % SHARE_FILLS.len()];
            let figure = self.figure(v);
            let _ = write!(
                out,
                r##"<g><title>{}: {}</title><rect x="{x:.1}" y="8" width="{w:.1}" height="{bar_h}" fill="{fill}" stroke="#ffffff" stroke-width="1"/>"##,
                esc(&p.label),
                esc(&figure)
            );
            let pct = number(100.0 * v / total.max(1.0), Unit::Percent, self.numbers);
            if w >= CHAR_W * pct.chars().count() as f64 + 6.0 {
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{FONT}" font-weight="bold" fill="#ffffff">{}</text>"##,
                    x + w / 2.0,
                    8.0 + bar_h / 2.0 + 5.0,
                    esc(&pct)
                );
            }
            out.push_str("</g>");
            let y = 8.0 + bar_h + 12.0 + legend_row * i as f64;
            let _ = write!(
                out,
                r#"<rect x="0" y="{y:.1}" width="14" height="14" fill="{fill}"/><text x="20" y="{:.1}" font-size="{FONT}" fill="{TEXT}">{}: {}</text>"#,
                y + 12.0,
                esc(&truncate(&p.label, 40)),
                esc(&figure)
            );
            x += w;
        }
        out.push_str("</svg>");
        out
    }

    fn table(&self) -> String {
        let mut out = format!(
            r#"<table class="chart-table"><caption>{}</caption><tbody>"#,
            esc(&self.title)
        );
        for p in &self.parts {
            let _ = write!(
                out,
                r#"<tr><th scope="row">{}</th><td>{}</td></tr>"#,
                esc(&p.label),
                esc(&self.figure(clean(p.value)))
            );
        }
        out.push_str("</tbody></table>");
        out
    }
}

/// The opening of a chart: the `<svg>` element, its title and description.
fn open_svg(id: &str, title: &str, desc: &str, height: f64) -> String {
    let id = safe_id(id);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height:.0}" width="100%" preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    )
}

/// The hatching of the second series (so that it differs in grey print too).
fn patterns(id: &str) -> String {
    let id = safe_id(id);
    format!(
        r##"<defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="{}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>"##,
        FILLS[1]
    )
}

/// The fill of series `j`: the second is hatched.
fn fill(id: &str, j: usize) -> String {
    if j == 1 {
        format!("url(#{}-hatch)", safe_id(id))
    } else {
        FILLS[j % FILLS.len()].to_string()
    }
}

/// `id` with anything but `[a-z0-9-]` replaced by `-` (it goes into attributes and
/// `url(#…)`).
fn safe_id(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "chart".into() } else { s }
}

/// A finite, non-negative value (NaN and negatives draw as 0).
fn clean(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// A round number at or above `max` (1, 2, 5 × 10ⁿ, or 2.5 × 10ⁿ from 25 up; at least
/// 1).
pub fn nice_max(max: f64) -> f64 {
    if !max.is_finite() || max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    let steps: &[f64] = if magnitude >= 10.0 {
        &[1.0, 2.0, 2.5, 5.0, 10.0]
    } else {
        &[1.0, 2.0, 5.0, 10.0]
    };
    steps
        .iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * magnitude)
}

/// The grid lines of an axis from 0 to `max`: 0 and up to five more, at whole numbers
/// for counts.
fn ticks(max: f64, unit: Unit) -> Vec<f64> {
    let steps = match unit {
        Unit::Percent => 4,
        Unit::Count => [4usize, 5, 2, 1]
            .into_iter()
            .find(|n| (max / *n as f64).fract() == 0.0)
            .unwrap_or(1),
    };
    (0..=steps).map(|i| max * i as f64 / steps as f64).collect()
}

/// A value as printed: counts whole and grouped, percentages with one decimal.
pub fn number(v: f64, unit: Unit, numbers: Numbers) -> String {
    let (group, decimal) = match numbers {
        Numbers::Vi => ('.', ','),
        Numbers::En => (',', '.'),
    };
    match unit {
        Unit::Count => group_digits(v.round() as i64, group),
        Unit::Percent => {
            let tenths = (v * 10.0).round() as i64;
            let (whole, frac) = (tenths / 10, tenths % 10);
            if frac == 0 {
                format!("{} %", group_digits(whole, group))
            } else {
                format!("{}{decimal}{frac} %", group_digits(whole, group))
            }
        }
    }
}

/// `s` cut to `max` characters, the last one an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    let max = max.max(2);
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out = out.trim_end().to_string();
    out.push('…');
    out
}

#[cfg(test)]
#[path = "chart_tests.rs"]
mod tests;
