//! Streaming parse of `multipart/form-data` forms with files, under limits that never
//! cost the citizen what they typed: a file over its cap or of a refused type is
//! skipped with a reason while the other fields are kept, and a body over the route's
//! limit is read to its end (up to a hard cap) so the browser gets the form back instead
//! of a reset connection. Files are buffered only while a permit of the upload semaphore
//! is held, which bounds memory.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::state::AppState;
use crate::domain::attachment::{self, CheckedFile, FileKind, FileRefusal};

/// A text field longer than this is cut (the validation then reports it too long).
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;
/// Past the body limit, this much more is still read and discarded before answering.
const DRAIN_CAP_BYTES: usize = 128 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    pub max_files: usize,
    pub max_file_bytes: usize,
    pub max_body_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct AcceptedFile {
    pub filename: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedFile {
    pub filename: String,
    pub reason: FileRefusal,
}

#[derive(Debug, Default)]
pub struct ParsedForm {
    /// Text fields in the order they came.
    pub fields: Vec<(String, String)>,
    pub files: Vec<AcceptedFile>,
    pub refused: Vec<RefusedFile>,
    /// The body was over the route's limit: fields after that point are missing.
    pub body_too_large: bool,
}

impl ParsedForm {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The accepted files, hashed and ready to store.
    pub fn checked_files(&self) -> Vec<CheckedFile> {
        self.files
            .iter()
            .map(|f| CheckedFile::new(f.filename.clone(), f.kind, f.bytes.clone()))
            .collect()
    }

    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("not a multipart or urlencoded form")]
    NotAForm,
    #[error("the upload was interrupted: {0}")]
    Interrupted(String),
}

/// Counts body bytes; past `max` it keeps reading and discarding (up to the drain cap)
/// and then ends the stream with an error, which stops the multipart parser.
struct LimitedBody<S> {
    inner: S,
    seen: usize,
    max: usize,
    over: Arc<AtomicBool>,
}

impl<S> Stream for LimitedBody<S>
where
    S: Stream<Item = Result<Bytes, axum::Error>> + Unpin,
{
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let draining = self.over.load(Ordering::Relaxed);
            match Pin::new(&mut self.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) if draining => {
                    return Poll::Ready(Some(Err(std::io::Error::other("body too large"))));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Some(Err(std::io::Error::other(e.to_string()))));
                }
                Poll::Ready(Some(Ok(chunk))) => {
                    self.seen += chunk.len();
                    if draining {
                        if self.seen > self.max + DRAIN_CAP_BYTES {
                            return Poll::Ready(Some(Err(std::io::Error::other("body too large"))));
                        }
                        continue;
                    }
                    if self.seen > self.max {
                        self.over.store(true, Ordering::Relaxed);
                        continue;
                    }
                    return Poll::Ready(Some(Ok(chunk)));
                }
            }
        }
    }
}

impl UploadLimits {
    /// The configured limits of every route that takes files.
    pub fn of(state: &AppState) -> Self {
        UploadLimits {
            max_files: state.cfg.uploads.max_files,
            max_file_bytes: state.cfg.uploads.max_file_mb * 1024 * 1024,
            max_body_bytes: state.upload_body_limit(),
        }
    }
}

/// Reads the form of a route that takes files, under the configured limits and the
/// upload semaphore. `Err` is the answer to give: `not_a_form()` for a body that is
/// neither multipart nor urlencoded, 400 for an upload cut off midway (logged under
/// `route`, without any of its content).
pub async fn read_form(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    route: &'static str,
    not_a_form: impl FnOnce() -> Response,
) -> Result<ParsedForm, Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    match parse(
        body,
        content_type,
        UploadLimits::of(state),
        &state.upload_permits,
    )
    .await
    {
        Ok(form) => Ok(form),
        Err(UploadError::NotAForm) => Err(not_a_form()),
        Err(e @ UploadError::Interrupted(_)) => {
            tracing::info!(error = %e, route, "upload interrupted");
            Err(StatusCode::BAD_REQUEST.into_response())
        }
    }
}

/// Parses a form body: multipart (with files) or urlencoded (text only).
pub async fn parse(
    body: Body,
    content_type: Option<&str>,
    limits: UploadLimits,
    permits: &Arc<Semaphore>,
) -> Result<ParsedForm, UploadError> {
    let content_type = content_type.unwrap_or_default();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return parse_urlencoded(body, limits).await;
    }
    let boundary = multer::parse_boundary(content_type).map_err(|_| UploadError::NotAForm)?;
    let over = Arc::new(AtomicBool::new(false));
    let stream = LimitedBody {
        inner: body.into_data_stream(),
        seen: 0,
        max: limits.max_body_bytes,
        over: Arc::clone(&over),
    };
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = ParsedForm::default();
    let mut permit: Option<OwnedSemaphorePermit> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) if over.load(Ordering::Relaxed) => {
                form.body_too_large = true;
                break;
            }
            Err(e) => return Err(UploadError::Interrupted(e.to_string())),
        };
        let next = match field.file_name().map(str::to_string) {
            None => add_text(&mut form, field, &over).await?,
            Some(filename) => {
                // Files are buffered only under a permit, taken at the first file.
                if permit.is_none() {
                    permit = Arc::clone(permits).acquire_owned().await.ok();
                }
                add_file(&mut form, filename, field, limits, &over).await?
            }
        };
        if next == Next::Stop {
            break;
        }
    }
    drop(permit);
    Ok(form)
}

/// Whether to read the next field of a multipart body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Read,
    /// The body went over the limit: nothing more is read.
    Stop,
}

/// Adds a text field to the form.
async fn add_text(
    form: &mut ParsedForm,
    field: multer::Field<'_>,
    over: &AtomicBool,
) -> Result<Next, UploadError> {
    let name = field.name().unwrap_or_default().to_string();
    match read_text(field, over).await {
        Ok(value) => {
            form.fields.push((name, value));
            Ok(Next::Read)
        }
        Err(FieldEnd::TooLarge) => {
            form.body_too_large = true;
            Ok(Next::Stop)
        }
        Err(FieldEnd::Failed(e)) => Err(UploadError::Interrupted(e)),
    }
}

/// Adds a file field to the form: accepted (type sniffed, name cleaned) or refused with
/// its reason. An empty file input without a name is no file at all.
async fn add_file(
    form: &mut ParsedForm,
    filename: String,
    field: multer::Field<'_>,
    limits: UploadLimits,
    over: &AtomicBool,
) -> Result<Next, UploadError> {
    let room = form.files.len() < limits.max_files;
    let refused = |reason| RefusedFile {
        filename: filename.clone(),
        reason,
    };
    match read_file(field, limits.max_file_bytes, room, over).await {
        Ok(FileRead::Empty) if filename.is_empty() => {}
        Ok(FileRead::Empty) => form.refused.push(refused(FileRefusal::Empty)),
        Ok(FileRead::Skipped(reason)) => form.refused.push(refused(reason)),
        Ok(FileRead::Bytes(bytes)) => match attachment::check(&bytes, limits.max_file_bytes) {
            Ok(kind) => form.files.push(AcceptedFile {
                filename: attachment::clean_filename(&filename, kind),
                kind,
                bytes,
            }),
            Err(reason) => form.refused.push(refused(reason)),
        },
        Err(FieldEnd::TooLarge) => {
            form.body_too_large = true;
            form.refused.push(refused(FileRefusal::TooLarge));
            return Ok(Next::Stop);
        }
        Err(FieldEnd::Failed(e)) => return Err(UploadError::Interrupted(e)),
    }
    Ok(Next::Read)
}

enum FieldEnd {
    TooLarge,
    Failed(String),
}

enum FileRead {
    Empty,
    Skipped(FileRefusal),
    Bytes(Vec<u8>),
}

fn field_error(e: multer::Error, over: &AtomicBool) -> FieldEnd {
    if over.load(Ordering::Relaxed) {
        FieldEnd::TooLarge
    } else {
        FieldEnd::Failed(e.to_string())
    }
}

async fn read_text(mut field: multer::Field<'_>, over: &AtomicBool) -> Result<String, FieldEnd> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| field_error(e, over))? {
        let room = MAX_TEXT_FIELD_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

async fn read_file(
    mut field: multer::Field<'_>,
    max: usize,
    room: bool,
    over: &AtomicBool,
) -> Result<FileRead, FieldEnd> {
    let mut buf = Vec::new();
    let mut size = 0usize;
    while let Some(chunk) = field.chunk().await.map_err(|e| field_error(e, over))? {
        size += chunk.len();
        if room && size <= max {
            buf.extend_from_slice(&chunk);
        } else {
            buf = Vec::new();
        }
    }
    Ok(if size == 0 {
        FileRead::Empty
    } else if !room {
        FileRead::Skipped(FileRefusal::TooMany)
    } else if size > max {
        FileRead::Skipped(FileRefusal::TooLarge)
    } else {
        FileRead::Bytes(buf)
    })
}

async fn parse_urlencoded(body: Body, limits: UploadLimits) -> Result<ParsedForm, UploadError> {
    let bytes = axum::body::to_bytes(body, limits.max_body_bytes)
        .await
        .map_err(|e| UploadError::Interrupted(e.to_string()))?;
    let fields = url::form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok(ParsedForm {
        fields,
        ..ParsedForm::default()
    })
}
