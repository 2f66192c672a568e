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
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::fields::without_nul;
use super::rate_limit::address_subject;
use super::state::AppState;
use super::upload_gate::{AddressPermit, UploadGate};
use crate::domain::attachment::{self, CheckedFile, FileKind, FileRefusal};

/// A text field longer than this is cut (the validation then reports it too long).
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;
/// Past the body limit, this much more is still read and discarded before answering.
const DRAIN_CAP_BYTES: usize = 128 * 1024 * 1024;
/// An urlencoded body on a route that takes files: files never come so, and text fields
/// are at most 64 KiB each. Beyond this the body is refused unread: a 51 MiB body of
/// `a&a&…` once cost 2.3 GB and 8 s of CPU to parse (security review, finding 2).
pub const MAX_URLENCODED_BYTES: usize = 256 * 1024;
/// The most fields a form keeps; the rest are dropped unread into memory (every form
/// of ours has far fewer).
pub const MAX_FORM_FIELDS: usize = 500;

#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    pub max_files: usize,
    pub max_file_bytes: usize,
    pub max_body_bytes: usize,
    /// A multipart body that sends nothing for this long is cut (security review,
    /// finding 6: slow uploads held every permit until the 120 s request timeout).
    pub idle: Duration,
}

/// The permits an upload takes at its first file: its client address's place (unless
/// exempt or staff), then one of the instance's.
pub struct Permits<'a> {
    pub global: &'a Arc<Semaphore>,
    pub address: Option<(&'a Arc<UploadGate>, String)>,
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
    /// A text-only body over [`MAX_URLENCODED_BYTES`].
    #[error("a text-only body over the limit")]
    TooLarge,
}

/// Counts body bytes; past `max` it keeps reading and discarding (up to the drain cap)
/// and then ends the stream with an error, which stops the multipart parser. A body
/// that sends nothing for `idle` ends with an error too.
struct LimitedBody<S> {
    inner: S,
    seen: usize,
    max: usize,
    over: Arc<AtomicBool>,
    idle: Duration,
    /// Ends `idle` after the reader began waiting for data or the last chunk came.
    quiet: Pin<Box<tokio::time::Sleep>>,
    /// The reader is waiting for data (the time it spends elsewhere, waiting for a
    /// permit or storing, does not count).
    waiting: bool,
}

impl<S> Stream for LimitedBody<S>
where
    S: Stream<Item = Result<Bytes, axum::Error>> + Unpin,
{
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if !self.waiting {
            let until = tokio::time::Instant::now() + self.idle;
            self.quiet.as_mut().reset(until);
            self.waiting = true;
        }
        match self.as_mut().poll_data(cx) {
            Poll::Pending if self.quiet.as_mut().poll(cx).is_ready() => {
                self.waiting = false;
                Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no data for the idle limit",
                ))))
            }
            Poll::Pending => Poll::Pending,
            ready => {
                self.waiting = false;
                ready
            }
        }
    }
}

impl<S> LimitedBody<S>
where
    S: Stream<Item = Result<Bytes, axum::Error>> + Unpin,
{
    fn poll_data(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, std::io::Error>>> {
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
                    let next = tokio::time::Instant::now() + self.idle;
                    self.quiet.as_mut().reset(next);
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
            idle: Duration::from_secs(state.cfg.uploads.idle_secs),
        }
    }
}

/// Reads the form of a route that takes files, under the configured limits and the
/// upload semaphore (and, for a public route's `client` not in `[limits] exempt`, its
/// address's share of it). `Err` is the answer to give: `not_a_form()` for a body that is
/// neither multipart nor urlencoded, 400 for an upload cut off midway or gone idle, 413
/// for a text-only body over its limit.
pub async fn read_form(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    body: Body,
    route: &'static str,
    not_a_form: impl FnOnce() -> Response,
) -> Result<ParsedForm, Response> {
    read_upload(state, client, headers, body, route)
        .await
        .map_err(|e| match e {
            UploadError::NotAForm => not_a_form(),
            UploadError::Interrupted(_) => StatusCode::BAD_REQUEST.into_response(),
            UploadError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        })
}

/// As [`read_form`], the refusal typed, for callers that word it themselves (the API's
/// problem details). An interrupted or over-large upload is logged under `route`,
/// without any of its content.
pub async fn read_upload(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    body: Body,
    route: &'static str,
) -> Result<ParsedForm, UploadError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let address = client
        .filter(|ip| !state.is_exempt(*ip))
        .map(|ip| (&state.upload_gate, address_subject(ip)));
    let permits = Permits {
        global: &state.upload_permits,
        address,
    };
    let read = parse(body, content_type, UploadLimits::of(state), permits).await;
    match &read {
        Err(e @ UploadError::Interrupted(_)) => {
            tracing::info!(error = %e, route, "upload interrupted");
        }
        Err(e @ UploadError::TooLarge) => tracing::info!(error = %e, route, "form refused"),
        _ => {}
    }
    read
}

/// Parses a form body: multipart (with files) or urlencoded (text only).
pub async fn parse(
    body: Body,
    content_type: Option<&str>,
    limits: UploadLimits,
    permits: Permits<'_>,
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
        idle: limits.idle,
        quiet: Box::pin(tokio::time::sleep(limits.idle)),
        waiting: false,
    };
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = ParsedForm::default();
    let mut permit: Option<(Option<AddressPermit>, Option<OwnedSemaphorePermit>)> = None;
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
                    let address = match &permits.address {
                        Some((gate, subject)) => Some(gate.enter(subject.clone()).await),
                        None => None,
                    };
                    let global = Arc::clone(permits.global).acquire_owned().await.ok();
                    permit = Some((address, global));
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
            if form.fields.len() < MAX_FORM_FIELDS {
                form.fields.push((without_nul(&name), without_nul(&value)));
            }
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

/// A text-only body: at most [`MAX_URLENCODED_BYTES`] (more is [`UploadError::TooLarge`],
/// refused without reading on) and [`MAX_FORM_FIELDS`] fields.
async fn parse_urlencoded(body: Body, limits: UploadLimits) -> Result<ParsedForm, UploadError> {
    let cap = MAX_URLENCODED_BYTES.min(limits.max_body_bytes);
    let bytes = axum::body::to_bytes(body, cap)
        .await
        .map_err(|_| UploadError::TooLarge)?;
    let fields = url::form_urlencoded::parse(&bytes)
        .take(MAX_FORM_FIELDS)
        .map(|(k, v)| (without_nul(&k), without_nul(&v)))
        .collect();
    Ok(ParsedForm {
        fields,
        ..ParsedForm::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> UploadLimits {
        UploadLimits {
            max_files: 5,
            max_file_bytes: 10 * 1024 * 1024,
            max_body_bytes: 51 * 1024 * 1024,
            idle: Duration::from_secs(10),
        }
    }

    async fn parse_text(body: Vec<u8>) -> Result<ParsedForm, UploadError> {
        let permits = Arc::new(Semaphore::new(1));
        parse(
            Body::from(body),
            Some("application/x-www-form-urlencoded"),
            limits(),
            Permits {
                global: &permits,
                address: None,
            },
        )
        .await
    }

    #[tokio::test]
    async fn an_urlencoded_body_over_256_kib_is_refused_unparsed() {
        // The review's attack, scaled: "a&a&…" far past the cap.
        let body = b"a&".repeat(MAX_URLENCODED_BYTES);
        assert!(matches!(parse_text(body).await, Err(UploadError::TooLarge)));
    }

    #[tokio::test]
    async fn a_form_keeps_at_most_max_form_fields() {
        let body = b"a=1&".repeat(20_000);
        let form = parse_text(body).await.expect("within the byte cap");
        assert_eq!(form.fields.len(), MAX_FORM_FIELDS);
        let fields = crate::web::kit::fields::Fields::parse(&b"b=2&".repeat(20_000));
        assert_eq!(fields.all("b").len(), MAX_FORM_FIELDS);
    }

    #[tokio::test]
    async fn a_multipart_form_keeps_at_most_max_form_fields() {
        let boundary = "x7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for i in 0..(MAX_FORM_FIELDS + 300) {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let permits = Arc::new(Semaphore::new(1));
        let form = parse(
            Body::from(body),
            Some(&format!("multipart/form-data; boundary={boundary}")),
            limits(),
            Permits {
                global: &permits,
                address: None,
            },
        )
        .await
        .expect("parsed");
        assert_eq!(form.fields.len(), MAX_FORM_FIELDS);
        assert_eq!(form.get("f0"), Some("v"), "the first fields are kept");
    }
}
