//! `GET|POST /staff/tickets/new`: staff enter a PAKN received by phone, email, post, in
//! person or forwarded by another system, with its channel, the external reference and
//! date, the receipt date, and themselves as the officer who took it. It is routed and
//! mailed like a web filing. `GET /staff/tickets/{code}/receipt`: the printable receipt
//! for the citizen, with the private link, for the officer who took it during
//! [`RECEIPT_HOURS`].

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use rand::RngCore;

use crate::auth::StaffUser;
use crate::db::tickets;
use crate::domain::attachment::{FileRefusal, size_text};
use crate::domain::calendar::{format_date, format_datetime, local_date, vn_offset};
use crate::domain::feedback::{self, Channel, FeedbackValues, ValidFeedback};
use crate::domain::reference::Reference;
use crate::handling::filing::{self, FilingMeta, FilingOutcome};
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::choices::{Choice, category_choices, field_choices};
use crate::web::kit::date::parse_date;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::field_labels;
use crate::web::kit::messages::{field_message, file_message};
use crate::web::kit::stash::{KEEP_FIELD, KeptFile, keep_accepted};
use crate::web::kit::upload::{self, ParsedForm};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{StaffChrome, check_csrf, detached};

/// Channels staff enter (the web form files itself).
pub const CHANNELS: [Channel; 6] = [
    Channel::Phone,
    Channel::Email,
    Channel::Post,
    Channel::InPerson,
    Channel::NationalPortal,
    Channel::ProvincialCommittee,
];

/// The hidden field naming one entry form: files that passed are kept under it when the
/// form comes back with errors, and a repeated POST of the same form finds the first
/// ticket instead of filing it twice.
pub const ENTRY_KEY_FIELD: &str = "entry_key";

/// What was typed into the entry form besides the citizen's PAKN.
#[derive(Debug, Clone, Default)]
pub struct EntryValues {
    pub channel: String,
    pub external_ref: String,
    pub external_ref_date: String,
    pub received_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/entry.html")]
pub struct EntryPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub v: FeedbackValues,
    pub channel: String,
    pub external_ref: String,
    pub external_ref_date: String,
    pub received_on: String,
    pub entry_key: String,
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
    pub channels: Vec<Choice>,
    pub fields: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub kept_files: Vec<KeptFile>,
    pub max_files: i64,
    pub max_file_mb: i64,
}

impl EntryPage {
    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_str())
    }

    pub fn has_err(&self, name: &str) -> bool {
        self.err(name).is_some()
    }

    /// The label the error summary puts before a field's message, as the public form does.
    pub fn label_id(&self, name: &str) -> &'static str {
        field_labels::label_id(name)
    }
}

/// A fresh form key: 128 random bits, hex.
fn new_entry_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn valid_entry_key(key: &str) -> bool {
    key.len() == 32
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The key files are kept and the filing is deduplicated under: the user's own
/// namespace, so no form key (a citizen's or another officer's) can be borrowed.
fn stash_key(user: &StaffUser, entry_key: &str) -> String {
    format!("staff:{}:{entry_key}", user.id)
}

struct EntryForm<'a> {
    v: FeedbackValues,
    entry: EntryValues,
    entry_key: &'a str,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    /// The stash to list kept files from.
    stash: Option<&'a str>,
}

async fn entry_page(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    form: EntryForm<'_>,
) -> AppResult<EntryPage> {
    let t = lang.tr();
    let reference = state.reference.get();
    let kept_files = match form.stash {
        Some(key) => {
            let mut conn = state.pool.get().await?;
            tickets::stashed_files(&mut conn, key)
                .await?
                .into_iter()
                .map(|f| KeptFile {
                    id: f.id,
                    filename: f.filename,
                    size: size_text(i64::from(f.size_bytes)),
                })
                .collect()
        }
        None => Vec::new(),
    };
    let EntryForm {
        v, entry, errors, ..
    } = form;
    Ok(EntryPage {
        chrome: StaffChrome::new(state, lang, user, "/staff/tickets/new"),
        t,
        channels: CHANNELS
            .iter()
            .map(|c| Choice {
                code: c.to_string(),
                name: t.t(&c.message_id("channel")),
                selected: c.as_str() == entry.channel,
            })
            .collect(),
        fields: field_choices(&reference, &t, &v.field),
        categories: category_choices(&reference, &t, &v.content_category),
        v,
        channel: entry.channel,
        external_ref: entry.external_ref,
        external_ref_date: entry.external_ref_date,
        received_on: entry.received_on,
        entry_key: form.entry_key.to_string(),
        errors,
        notice: form.notice,
        kept_files,
        max_files: state.cfg.uploads.max_files as i64,
        max_file_mb: state.cfg.uploads.max_file_mb as i64,
    })
}

pub async fn new_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
) -> AppResult<Response> {
    if !user.access.acts() {
        return Err(AppError::NotFound);
    }
    let v = FeedbackValues {
        submitter_kind: "individual".into(),
        ..FeedbackValues::default()
    };
    let entry = EntryValues {
        channel: "phone".into(),
        received_on: local_date(Utc::now()).format("%Y-%m-%d").to_string(),
        ..EntryValues::default()
    };
    let key = new_entry_key();
    let form = EntryForm {
        v,
        entry,
        entry_key: &key,
        errors: Vec::new(),
        notice: None,
        stash: None,
    };
    Ok(entry_page(&state, &lang, &user, form)
        .await?
        .into_response())
}

/// `POST /staff/tickets/new`: multipart (with the citizen's documents) or urlencoded.
pub async fn create(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Nobody who may not enter a PAKN gets their upload read.
    if !user.access.acts() {
        return AppError::NotFound.into_response();
    }
    let form = match upload::read_form(&state, None, &headers, body, "staff entry", || {
        StatusCode::BAD_REQUEST.into_response()
    })
    .await
    {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    if let Err(e) = check_csrf(&user, form.get("csrf").unwrap_or_default()) {
        return e.into_response();
    }
    // The rest runs to its end even if the client goes away: a dropped connection must
    // never half-file a PAKN.
    detached(async move { process(&state, &lang, &user, &form).await }).await
}

/// Reads the form, checks it, files it and answers: the receipt, or the form again.
async fn process(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    form: &ParsedForm,
) -> AppResult<Response> {
    let t = lang.tr();
    let typed = Typed::read(form);
    let reference = state.reference.get();
    let outcome = match check(state, &t, &reference, form, &typed) {
        Ok(checked) => {
            let (valid, meta) = checked.into_filing(user, &typed);
            store(state, &t, &reference, form, &valid, &meta).await?
        }
        Err(again) => Outcome::Again(again),
    };
    match outcome {
        Outcome::Receipt(code) => {
            Ok(Redirect::to(&format!("/staff/tickets/{code}/receipt")).into_response())
        }
        Outcome::Again(again) => form_again(state, lang, user, form, typed, again).await,
    }
}

/// How a sent entry form ends.
enum Outcome {
    /// Filed, or the same form sent again: the receipt of this ticket code.
    Receipt(String),
    /// Back to the form.
    Again(Again),
}

/// The form coming back with what was typed and the files that passed kept.
struct Again {
    status: StatusCode,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    /// Under a fresh key: the one sent was filed already.
    fresh_key: bool,
}

impl Again {
    /// Fields or files refused: each with its message.
    fn invalid(errors: Vec<(String, String)>) -> Again {
        Again {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            notice: None,
            fresh_key: false,
        }
    }

    /// The body was over the limit (fields after that point are missing).
    fn too_large(notice: String) -> Again {
        Again {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            errors: Vec::new(),
            notice: Some(notice),
            fresh_key: false,
        }
    }

    /// This form was filed already and came back edited: offered as a new one.
    fn filed_already(notice: String) -> Again {
        Again {
            status: StatusCode::CONFLICT,
            errors: Vec::new(),
            notice: Some(notice),
            fresh_key: true,
        }
    }
}

/// The one answer for every way the form comes back.
async fn form_again(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    form: &ParsedForm,
    typed: Typed,
    again: Again,
) -> AppResult<Response> {
    let entry_key = if again.fresh_key {
        new_entry_key()
    } else {
        typed.entry_key
    };
    let stash = stash_key(user, &entry_key);
    keep_accepted(state, None, &stash, form).await?;
    let page = EntryForm {
        v: typed.v,
        entry: typed.entry,
        entry_key: &entry_key,
        errors: again.errors,
        notice: again.notice,
        stash: Some(&stash),
    };
    let page = entry_page(state, lang, user, page).await?;
    Ok((again.status, page).into_response())
}

/// What the officer typed, with the form's key and the kept files it names again.
struct Typed {
    v: FeedbackValues,
    entry: EntryValues,
    /// The key sent when well-formed; otherwise a fresh one (nothing was kept under it).
    entry_key: String,
    keep: Vec<i64>,
}

impl Typed {
    fn read(form: &ParsedForm) -> Typed {
        let field = |name: &str| form.get(name).unwrap_or_default();
        let mut v = FeedbackValues::default();
        for name in feedback::FIELD_NAMES {
            v.set(name, field(name).to_string());
        }
        // Staff read the processing notice to the citizen; the consent is theirs to record.
        v.consent = true;
        let entry = EntryValues {
            channel: field("channel").to_string(),
            external_ref: field("external_ref").trim().to_string(),
            external_ref_date: field("external_ref_date").trim().to_string(),
            received_on: field("received_on").trim().to_string(),
        };
        let sent_key = field(ENTRY_KEY_FIELD);
        let (entry_key, keep) = if valid_entry_key(sent_key) {
            let keep = form
                .get_all(KEEP_FIELD)
                .filter_map(|v| v.parse().ok())
                .collect();
            (sent_key.to_string(), keep)
        } else {
            (new_entry_key(), Vec::new())
        };
        Typed {
            v,
            entry,
            entry_key,
            keep,
        }
    }
}

/// A form that passed: the PAKN and what the entry adds to it.
struct Checked {
    valid: ValidFeedback,
    channel: Channel,
    external_ref_date: Option<NaiveDate>,
    received_at: DateTime<Utc>,
}

impl Checked {
    /// The PAKN and how it came in, entered by `user` under the form's key.
    fn into_filing(self, user: &StaffUser, typed: &Typed) -> (ValidFeedback, FilingMeta) {
        let external_ref = &typed.entry.external_ref;
        let meta = FilingMeta {
            channel: self.channel,
            external_ref: (!external_ref.is_empty()).then(|| external_ref.clone()),
            external_ref_date: self.external_ref_date,
            entered_by: Some(user.id),
            lang: "vi".into(),
            idempotency_key: Some(stash_key(user, &typed.entry_key)),
            suspected_spam: false,
            spam_reasons: Vec::new(),
            received_at: self.received_at,
            keep_stashed: typed.keep.clone(),
            skip_acknowledgement: false,
        };
        (self.valid, meta)
    }
}

/// Checks the form: the body's size first, then every field and file at once.
fn check(
    state: &AppState,
    t: &Tr,
    reference: &Reference,
    form: &ParsedForm,
    typed: &Typed,
) -> Result<Checked, Again> {
    if form.body_too_large {
        let mb = (state.upload_body_limit() / (1024 * 1024)) as i64;
        let notice = t.t1("notice-body-too-large", "mb", mb);
        return Err(Again::too_large(notice));
    }
    let checked = reference.validate_feedback(&typed.v);
    let mut errors: Vec<(String, String)> = match &checked {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .iter()
            .map(|(n, e)| (n.to_string(), field_message(t, *e)))
            .collect(),
    };
    let entry = &typed.entry;
    let channel = Channel::parse(&entry.channel).filter(|c| CHANNELS.contains(c));
    if channel.is_none() {
        errors.push(("channel".into(), t.t("err-choice")));
    }
    let external_ref_date = external_ref_date(t, entry, &mut errors);
    let received_at = received_at(t, entry, &mut errors);
    if let Some(message) = file_errors(state, t, form, typed.keep.len()) {
        errors.push(("attachments".to_string(), message));
    }
    match (checked, channel) {
        (Ok(valid), Some(channel)) if errors.is_empty() => Ok(Checked {
            valid,
            channel,
            external_ref_date,
            received_at,
        }),
        _ => Err(Again::invalid(errors)),
    }
}

/// The other system's date, when one is typed.
fn external_ref_date(
    t: &Tr,
    entry: &EntryValues,
    errors: &mut Vec<(String, String)>,
) -> Option<NaiveDate> {
    if entry.external_ref_date.is_empty() {
        return None;
    }
    let d = parse_date(&entry.external_ref_date);
    if d.is_none() {
        errors.push(("external_ref_date".into(), t.t("err-date")));
    }
    d
}

/// When it was received: now if today, noon (local) of an earlier day; a later day or
/// no date is an error.
fn received_at(t: &Tr, entry: &EntryValues, errors: &mut Vec<(String, String)>) -> DateTime<Utc> {
    let now = Utc::now();
    let today = local_date(now);
    match parse_date(&entry.received_on) {
        Some(d) if d == today => now,
        Some(d) if d < today => {
            // A letter received on an earlier day counts from that day (noon, local).
            let noon = d.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
            vn_offset()
                .from_local_datetime(&noon)
                .single()
                .map(|l| l.to_utc())
                .unwrap_or(now)
        }
        _ => {
            errors.push(("received_on".into(), t.t("err-date")));
            now
        }
    }
}

/// The message about refused files and too many of them (with the `kept` ones), if any.
fn file_errors(state: &AppState, t: &Tr, form: &ParsedForm, kept: usize) -> Option<String> {
    let max_mb = state.cfg.uploads.max_file_mb;
    let max_files = state.cfg.uploads.max_files;
    let mut messages: Vec<String> = form
        .refused
        .iter()
        .map(|r| file_message(t, &r.filename, r.reason, max_mb, max_files))
        .collect();
    if form.files.len() + kept > max_files {
        messages.push(file_message(t, "", FileRefusal::TooMany, max_mb, max_files));
    }
    (!messages.is_empty()).then(|| messages.join(" "))
}

/// Files the PAKN, once per form: the same form sent again finds the first ticket; the
/// form sent again edited comes back to be entered as a new one.
async fn store(
    state: &AppState,
    t: &Tr,
    reference: &Reference,
    form: &ParsedForm,
    valid: &ValidFeedback,
    meta: &FilingMeta,
) -> AppResult<Outcome> {
    let files = form.checked_files();
    let mut conn = state.pool.get().await?;
    let outcome = filing::file(&mut conn, &state.cfg, reference, valid, &files, meta).await?;
    Ok(match outcome {
        FilingOutcome::Created { code, .. } => {
            drop(conn);
            state.mail_wake.notify_one();
            tracing::info!("staff entered a PAKN");
            Outcome::Receipt(code.as_str().to_string())
        }
        FilingOutcome::AlreadyFiled { access_token } => {
            // The same form sent twice (a double click, a reload): the first ticket stands.
            let first = tickets::receipt_by_access_token(&mut conn, &access_token)
                .await?
                .ok_or(AppError::NotFound)?;
            Outcome::Receipt(first.code)
        }
        FilingOutcome::TokenReused => {
            Outcome::Again(Again::filed_already(t.t("staff-entry-reused")))
        }
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/entry_receipt.html")]
pub struct ReceiptPrint {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub code: String,
    pub title: String,
    pub channel: String,
    pub received: String,
    pub accept_due: String,
    pub reply_due: String,
    pub private_url: String,
    pub track_url: String,
    /// The sender in the third person ("Ông/Bà …", or the organization).
    pub sender: String,
    /// The receiving officer, who signs the paper.
    pub officer: String,
}

/// The sender as the paper receipt names them, in the third person.
fn receipt_sender(t: &Tr, ticket: &tickets::TicketRow) -> String {
    let name = |n: &Option<String>| n.as_deref().unwrap_or_default().trim().to_string();
    match ticket.submitter_kind {
        feedback::SubmitterKind::Organization => t.t2(
            "paper-receipt-organization",
            "organization",
            name(&ticket.organization),
            "name",
            name(&ticket.representative),
        ),
        _ => t.t1("paper-receipt-person", "name", name(&ticket.full_name)),
    }
}

/// How long after entering a PAKN its officer may print the receipt with the private
/// link. The link is the citizen's key to the PAKN (reading it, answering, withdrawing,
/// rating), so it is shown only to whoever took the PAKN, while handing it over; later
/// the citizen finds the PAKN with its code and phone or email at `/track`.
pub const RECEIPT_HOURS: i64 = 24;

pub async fn receipt(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let code =
        crate::domain::tracking_code::TrackingCode::parse(&code).ok_or(AppError::NotFound)?;
    let mut conn = state.pool.get().await?;
    let ticket = crate::db::tickets::by_code(&mut conn, code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    // Only the officer who entered it, even when it was routed to another unit.
    if ticket.entered_by != Some(user.id) {
        return Err(AppError::NotFound);
    }
    let (token, created_at) =
        crate::db::tickets::access_token_and_created_at(&mut conn, ticket.id).await?;
    let fresh =
        created_at.is_some_and(|at| Utc::now() - at < chrono::TimeDelta::hours(RECEIPT_HOURS));
    if !fresh {
        return Err(AppError::NotFound);
    }
    crate::db::tickets::record_personal_data_view(&mut conn, user.id, ticket.id, "receipt").await?;
    drop(conn);
    let t = lang.tr();
    let base = state
        .cfg
        .server
        .public_url
        .trim_end_matches('/')
        .to_string();
    let page = ReceiptPrint {
        chrome: StaffChrome::new(&state, &lang, &user, "/staff/tickets"),
        t,
        code: crate::domain::tracking_code::TrackingCode::parse(&ticket.code)
            .map(|c| c.display())
            .unwrap_or(ticket.code.clone()),
        title: if ticket.confidential && !user.access.reads_confidential(ticket.unit_id) {
            t.t("staff-confidential-title")
        } else {
            ticket.title.clone()
        },
        channel: t.t(&ticket.channel.message_id("channel")),
        received: format_datetime(ticket.received_at),
        accept_due: format_date(ticket.accept_due),
        reply_due: format_date(ticket.reply_due),
        private_url: format!("{base}/t/{token}"),
        track_url: format!("{base}/track"),
        sender: receipt_sender(&t, &ticket),
        officer: user.name.clone(),
    };
    Ok(page.into_response())
}
