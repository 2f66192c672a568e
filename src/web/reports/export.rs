//! `GET /staff/reports/report.csv` and `/report.xlsx`: the report as a document in the
//! layout of a Vietnamese administrative report (the issuing body and the national
//! heading, the title, the period, the written summary, numbered tables with their
//! totals row, the signature block), in the viewer's language. The CSV is UTF-8 with a
//! byte order mark so that Excel reads Vietnamese.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::model::{Report, ReportParams};
use super::page::{TableView, document_reports, table_view};
use super::table;
use crate::auth::StaffUser;
use crate::domain::calendar::local_date;
use crate::i18n::Tr;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AppState, RequestLang, SharedState};

/// Everything a report document holds, in the viewer's language.
pub struct Document {
    pub issuer: String,
    pub nation: [String; 2],
    pub printed: String,
    pub title: String,
    pub period: String,
    pub basis: String,
    pub summary: String,
    pub tables: Vec<TableView>,
    pub notes: String,
    pub signatures: [(String, String); 2],
    /// The file name without extension: `bao-cao-pakn-2026-H1`.
    pub name: String,
}

async fn document(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    params: &ReportParams,
) -> AppResult<Document> {
    if !user.access.reads_reports() {
        return Err(AppError::NotFound);
    }
    let t = lang.tr();
    let selection = params.selection(local_date(Utc::now()));
    let reports: Vec<Report> =
        document_reports(state, &t, selection, user.access.scope_unit()).await?;
    let chrome = crate::web::kit::Chrome::new(state, lang, "/staff/reports");
    let summary = table::summary(&t, &reports[0].total.figures);
    let tables = reports
        .iter()
        .enumerate()
        .map(|(i, r)| table_view(&t, r, i + 1, false))
        .collect();
    let sign = |role: &str| (t.t(role), t.t("report-sign-hint"));
    Ok(Document {
        issuer: chrome.site_name.to_uppercase(),
        nation: [t.t("print-national-1"), t.t("print-national-2")],
        printed: chrome.printed.clone(),
        title: t.t("report-doc-title"),
        period: format!(
            "{}: {} ({})",
            t.t("report-period"),
            table::period_name(&t, &selection),
            selection.dates()
        ),
        basis: format!(
            "{}: {}",
            t.t("report-basis"),
            t.t(&format!("report-basis-{}", selection.basis.as_str()))
        ),
        summary,
        tables,
        notes: format!("{} {}", t.t("report-open-note"), t.t("report-days-note")),
        signatures: [sign("report-preparer"), sign("report-signer")],
        name: format!("bao-cao-pakn-{}", selection.period.code()),
    })
}

fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let mut res = body.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub async fn csv(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<ReportParams>,
) -> AppResult<Response> {
    let doc = document(&state, &lang, &user, &params).await?;
    let body = csv_text(&doc).into_bytes();
    let name = format!("{}.csv", doc.name);
    Ok(attachment("text/csv; charset=utf-8", &name, body))
}

pub async fn xlsx(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<ReportParams>,
) -> AppResult<Response> {
    let doc = document(&state, &lang, &user, &params).await?;
    let t = lang.tr();
    let body = xlsx_bytes(&t, &doc)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing the report's XLSX: {e}")))?;
    let name = format!("{}.xlsx", doc.name);
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(attachment(kind, &name, body))
}

/// One CSV field, quoted when it must be.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn line(out: &mut String, cells: &[String]) {
    let fields: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// The document as CSV: a byte order mark, the headings, then each table.
pub fn csv_text(doc: &Document) -> String {
    let mut out = String::from("\u{feff}");
    for text in [&doc.issuer, &doc.nation[0], &doc.nation[1], &doc.printed] {
        line(&mut out, std::slice::from_ref(text));
    }
    line(&mut out, &[]);
    for text in [&doc.title, &doc.period, &doc.basis, &doc.summary] {
        line(&mut out, std::slice::from_ref(text));
    }
    for table in &doc.tables {
        line(&mut out, &[]);
        line(&mut out, std::slice::from_ref(&table.heading));
        line(&mut out, &table.headings);
        for row in table.rows.iter().chain([&table.total]) {
            let cells: Vec<String> = std::iter::once(row.label.clone())
                .chain(row.cells.iter().map(|c| c.text.clone()))
                .collect();
            line(&mut out, &cells);
        }
    }
    line(&mut out, &[]);
    line(&mut out, std::slice::from_ref(&doc.notes));
    line(
        &mut out,
        &[doc.signatures[0].0.clone(), doc.signatures[1].0.clone()],
    );
    out
}

/// The document as an XLSX workbook of one sheet.
pub fn xlsx_bytes(t: &Tr, doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.t("report-title").chars().take(31).collect::<String>())?;
    let width = u16::try_from(table::COLUMNS.len()).unwrap_or(21);
    let bold = Format::new().set_bold();
    let center_bold = bold.clone().set_align(FormatAlign::Center);
    let center_italic = Format::new().set_italic().set_align(FormatAlign::Center);
    sheet.set_column_width(0, 34)?;
    for col in 1..=width {
        sheet.set_column_width(col, 12)?;
    }
    sheet.merge_range(0, 0, 0, 4, &doc.issuer, &center_bold)?;
    sheet.merge_range(0, 8, 0, width, &doc.nation[0], &center_bold)?;
    sheet.merge_range(1, 8, 1, width, &doc.nation[1], &center_bold)?;
    sheet.merge_range(2, 8, 2, width, &doc.printed, &center_italic)?;
    sheet.merge_range(4, 0, 4, width, &doc.title, &center_bold)?;
    sheet.merge_range(
        5,
        0,
        5,
        width,
        &doc.period,
        &Format::new().set_align(FormatAlign::Center),
    )?;
    sheet.write_string(6, 0, &doc.basis)?;
    sheet.write_string(7, 0, &doc.summary)?;
    let mut row: u32 = 9;
    for table in &doc.tables {
        row = write_table(sheet, row, table)? + 1;
    }
    sheet.write_string(row, 0, &doc.notes)?;
    row += 2;
    for (i, (role, hint)) in doc.signatures.iter().enumerate() {
        let col = if i == 0 { 0 } else { 8 };
        let last = if i == 0 { 4 } else { width };
        sheet.merge_range(row, col, row, last, role, &center_bold)?;
        sheet.merge_range(row + 1, col, row + 1, last, hint, &center_italic)?;
    }
    workbook.save_to_buffer()
}

/// One numbered table from `row`: its heading, the column headings, the lines and the
/// totals row. Returns the row after it.
fn write_table(sheet: &mut Worksheet, mut row: u32, table: &TableView) -> Result<u32, XlsxError> {
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let total = cell.clone().set_bold();
    sheet.write_string_with_format(row, 0, &table.heading, &Format::new().set_bold())?;
    row += 1;
    for (col, h) in table.headings.iter().enumerate() {
        sheet.write_string_with_format(row, col_of(col), h, &head)?;
    }
    row += 1;
    for (r, is_total) in table
        .rows
        .iter()
        .map(|r| (r, false))
        .chain([(&table.total, true)])
    {
        let format = if is_total { &total } else { &cell };
        sheet.write_string_with_format(row, 0, &r.label, format)?;
        for (i, c) in r.cells.iter().enumerate() {
            let col = col_of(i + 1);
            match c.number {
                Some(n) if c.id != "rate" => sheet.write_number_with_format(row, col, n, format)?,
                _ => sheet.write_string_with_format(row, col, &c.text, format)?,
            };
        }
        row += 1;
    }
    Ok(row)
}

fn col_of(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}
