//! `GET /staff/tickets/export.xlsx`: the export of [`super::export`] as an Excel
//! workbook. The rows go from the async reader to a blocking task through a channel of
//! two batches; the task writes them with `rust_xlsxwriter` in constant-memory mode
//! (rows flushed to a temporary file as written) and saves the workbook into an
//! anonymous temporary file (gone when closed, even after a crash), which is then
//! streamed. Cells are text (dates as dd/mm/yyyy, as on the pages), never formulas.

use std::io::{Seek, SeekFrom};

use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::Response;
use bytes::Bytes;
use futures_util::stream;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::export::{Exporter, file_response};
use super::queue::QueueParams;
use crate::auth::StaffUser;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{RequestLang, SharedState};

const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Bytes read from the finished file per chunk of the response.
const CHUNK: usize = 64 * 1024;

pub async fn xlsx(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<QueueParams>,
) -> AppResult<Response> {
    let mut exporter = Exporter::start(&state, &lang, &user, &params).await?;
    let header = exporter.header();
    let sheet = lang.tr().t("export-sheet");
    let (tx, rx) = mpsc::channel::<Vec<Vec<String>>>(2);
    let writer = tokio::task::spawn_blocking(move || write_workbook(&sheet, &header, rx));
    let read = async {
        while let Some(rows) = exporter.next_batch().await? {
            if tx.send(rows).await.is_err() {
                break;
            }
        }
        AppResult::Ok(())
    }
    .await;
    drop(tx);
    let written = writer
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the XLSX writer stopped: {e}")))?;
    read?;
    let file =
        written.map_err(|e| AppError::Internal(anyhow::anyhow!("writing the XLSX export: {e}")))?;
    let file = tokio::fs::File::from_std(file);
    let body = stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(file_response(
        Body::from_stream(body),
        CONTENT_TYPE,
        &Exporter::file_name("xlsx"),
    ))
}

/// Writes the header and every batch received into a workbook, and returns the saved
/// file, rewound.
fn write_workbook(
    sheet: &str,
    header: &[String],
    mut rx: mpsc::Receiver<Vec<Vec<String>>>,
) -> Result<std::fs::File, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(sheet)?;
    for (col, title) in header.iter().enumerate() {
        let col = col as u16;
        ws.set_column_width(col, if col == 2 { 48 } else { 18 })?;
        ws.write_string_with_format(0, col, title, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut row: u32 = 1;
    while let Some(batch) = rx.blocking_recv() {
        for cells in batch {
            for (col, value) in cells.iter().enumerate() {
                if !value.is_empty() {
                    ws.write_string(row, col as u16, value)?;
                }
            }
            row += 1;
        }
    }
    let mut file = tempfile::tempfile()?;
    workbook.save_to_writer(&mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}
