//! Open311's service requests: `POST requests` files a PAKN (form-urlencoded, `api_key`
//! in the body or the query), `GET requests` lists the published public copies, `GET
//! requests/{id}` one of them (a one-element list; the client that filed it also sees it
//! before it is published, without its text), `GET tokens/{token}` the id of a token.
//!
//! Filings are realtime: the answer carries the `service_request_id` (the PAKN's public
//! id, never its tracking code or a sequential number), and the token of a request is its
//! id. A PAKN rarely has a location: `address_string` is kept as the sender's address
//! and the department's is used without it; `lat`, `long` and `media_url` are not kept (a
//! remote file is never fetched).

use axum::http::{StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use super::doc::{Format, Val, s};
use super::form::Params;
use super::{answer, error};
use crate::db::api_clients::ApiClient;
use crate::db::open311::{self, RequestQuery, RequestRow};
use crate::domain::calendar::{format_date, vn_offset};
use crate::domain::feedback::{FeedbackValues, FieldError};
use crate::i18n::{Lang, Tr};
use crate::web::kit::AppState;
use crate::web::kit::api_client::{self, ClientFiling, ClientFilingError, KeyRefusal};
use crate::web::kit::field_labels::label_id;
use crate::web::kit::messages::field_message;

/// The scope that files PAKN (the same as `/api/v1`'s).
const FILE_SCOPE: &str = "file";
/// The widest period `GET requests` covers, and its default.
const MAX_DAYS: i64 = 90;
/// The most requests one page holds, and the default.
const MAX_PAGE: i64 = 1000;
/// A title taken from a description is cut at this many characters.
const TITLE_CHARS: usize = 120;

/// Errors with descriptions already worded.
fn errors(format: Format, status: StatusCode, descriptions: Vec<String>) -> Response {
    let list = Val::List(
        "error",
        descriptions
            .into_iter()
            .map(|d| {
                Val::Obj(vec![
                    ("code", Val::Num(i64::from(status.as_u16()))),
                    ("description", s(d)),
                ])
            })
            .collect(),
    );
    let mut res = answer(format, "errors", &list);
    *res.status_mut() = status;
    res
}

/// The client of `api_key`, or the Open311 error to answer (403 for a missing, wrong or
/// revoked key; 429 past its rate).
async fn client(
    state: &AppState,
    format: Format,
    lang: Lang,
    api_key: Option<&str>,
) -> Result<ApiClient, Response> {
    let Some(key) = api_key else {
        return Err(error(
            format,
            StatusCode::FORBIDDEN,
            lang,
            "open311-key-required",
        ));
    };
    match api_client::authenticate(state, key).await {
        Ok(client) => Ok(client),
        Err(KeyRefusal::Invalid) => Err(error(
            format,
            StatusCode::FORBIDDEN,
            lang,
            "open311-key-invalid",
        )),
        Err(KeyRefusal::Limited { retry_after_secs }) => {
            let mut res = error(
                format,
                StatusCode::TOO_MANY_REQUESTS,
                lang,
                "open311-rate-limited",
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            Err(res)
        }
        Err(KeyRefusal::Unavailable) => Err(unavailable(format, lang)),
    }
}

fn unavailable(format: Format, lang: Lang) -> Response {
    error(
        format,
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        "open311-unavailable",
    )
}

/// `POST requests.{fmt}`.
pub async fn file(
    state: &AppState,
    format: Format,
    lang: Lang,
    query: Option<&str>,
    body: &[u8],
) -> Response {
    let mut params = Params::parse(query.unwrap_or_default().as_bytes());
    params.add(body);
    let client = match client(state, format, lang, params.get("api_key")).await {
        Ok(client) => client,
        Err(res) => return res,
    };
    if !client.scopes.iter().any(|s| s == FILE_SCOPE) {
        return error(format, StatusCode::FORBIDDEN, lang, "open311-out-of-scope");
    }
    // The same request sent again (a retry) finds the first PAKN.
    let key = format!(
        "open311:{}",
        hex(&Sha256::digest(
            params.canonical_without("api_key").as_bytes()
        ))
    );
    let filing = ClientFiling {
        values: values(&params, &state.cfg.site.address),
        key: &key,
        external_ref: None,
        external_ref_date: None,
        files: &[],
        lang,
    };
    match api_client::file_for(state, &client, filing).await {
        Ok(done) => {
            let notice = Tr::new(lang).t2(
                "open311-filed-notice",
                "code",
                done.code,
                "due",
                format_date(done.reply_due),
            );
            let list = Val::List(
                "request",
                vec![Val::Obj(vec![
                    ("service_request_id", s(done.public_id)),
                    ("service_notice", s(notice)),
                    ("account_id", s(String::new())),
                ])],
            );
            answer(format, "service_requests", &list)
        }
        Err(ClientFilingError::Invalid(refused)) => {
            let t = Tr::new(lang);
            let described = refused
                .iter()
                .map(|(field, e)| describe(&t, field, *e))
                .collect();
            errors(format, StatusCode::BAD_REQUEST, described)
        }
        // The key is the request's digest: reused only if the same content differs,
        // which cannot be; said as a busy system should it ever happen.
        Err(ClientFilingError::KeyReused | ClientFilingError::Unavailable) => {
            unavailable(format, lang)
        }
    }
}

/// The form's values from Open311's parameters.
fn values(p: &Params, department_address: &str) -> FeedbackValues {
    let get = |k: &str| p.get(k).unwrap_or_default().to_string();
    let yes = |k: &str| {
        p.attribute(k)
            .is_some_and(|v| matches!(v, "yes" | "true" | "1"))
    };
    let full_name = [p.get("first_name"), p.get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let description = get("description");
    let title = p
        .attribute("title")
        .map_or_else(|| title_of(&description), str::to_string);
    FeedbackValues {
        submitter_kind: "individual".to_string(),
        full_name,
        address: p
            .get("address_string")
            .unwrap_or(department_address)
            .to_string(),
        phone: get("phone"),
        email: get("email"),
        kind: p.attribute("kind").unwrap_or_default().to_string(),
        content_category: p
            .attribute("content_category")
            .unwrap_or_default()
            .to_string(),
        field: get("service_code"),
        title,
        content: description,
        consent: yes("consent"),
        publish_consent: yes("publish_consent"),
        ..FeedbackValues::default()
    }
}

/// A title from a description: its first line, cut at a word before [`TITLE_CHARS`].
fn title_of(description: &str) -> String {
    let line = description.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= TITLE_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(TITLE_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end())
}

/// "Label (parameter): message", naming the Open311 parameter the form's field came from.
fn describe(t: &Tr, field: &str, e: FieldError) -> String {
    let param = match field {
        "field" => "service_code",
        "content" => "description",
        "full_name" => "first_name, last_name",
        "address" => "address_string",
        "kind" => "attribute[kind]",
        "content_category" => "attribute[content_category]",
        "title" => "attribute[title]",
        "consent" => "attribute[consent]",
        other => other,
    };
    let label = label_id(field);
    let param = if label.is_empty() {
        param.to_string()
    } else {
        format!("{} ({param})", t.t(label))
    };
    t.t2(
        "open311-param-error",
        "param",
        param,
        "message",
        field_message(t, e),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET requests.{fmt}`.
pub async fn list(state: &AppState, format: Format, lang: Lang, query: Option<&str>) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let q = match request_query(&params, Utc::now()) {
        Ok(q) => q,
        Err(id) => return error(format, StatusCode::BAD_REQUEST, lang, id),
    };
    let rows = match state.reads.get().await {
        Ok(mut conn) => open311::published(&mut conn, &q).await,
        Err(e) => {
            tracing::warn!(error = %e, "open311: a connection");
            return unavailable(format, lang);
        }
    };
    match rows {
        Ok(rows) => answer(format, "service_requests", &requests(state, lang, &rows)),
        Err(e) => {
            tracing::warn!(error = %e, "open311: listing requests");
            unavailable(format, lang)
        }
    }
}

/// The query of `GET requests`, or the message id of what is wrong with it.
fn request_query(p: &Params, now: DateTime<Utc>) -> Result<RequestQuery, &'static str> {
    let page = match p.get("page") {
        None => 1,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or("open311-bad-page")?,
    };
    let limit = match p.get("page_size") {
        None => MAX_PAGE,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or("open311-bad-page")?,
    };
    let offset = (page - 1).saturating_mul(limit);
    let ids = p.list("service_request_id");
    if !ids.is_empty() {
        return Ok(RequestQuery {
            ids,
            limit,
            offset,
            ..RequestQuery::default()
        });
    }
    let date = |k: &str| {
        p.get(k)
            .map(|v| parse_datetime(v).ok_or("open311-bad-date"))
            .transpose()
    };
    let span = Duration::days(MAX_DAYS);
    let (from, to) = match (date("start_date")?, date("end_date")?) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, a + span),
        (None, Some(b)) => (b - span, b),
        (None, None) => (now - span, now),
    };
    if from > to || to - from > span {
        return Err("open311-bad-range");
    }
    let (mut open, mut closed) = (false, false);
    for status in p.list("status") {
        match status.as_str() {
            "open" => open = true,
            "closed" => closed = true,
            _ => return Err("open311-bad-status"),
        }
    }
    // Both named is the same as neither.
    let open = match (open, closed) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    };
    Ok(RequestQuery {
        ids: Vec::new(),
        service_codes: p.list("service_code"),
        from: Some(from),
        // The end is inclusive in the spec.
        to: Some(to + Duration::seconds(1)),
        open,
        limit,
        offset,
    })
}

/// ISO 8601 with any offset, or a bare date (its start, Vietnam's time).
fn parse_datetime(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    d.and_hms_opt(0, 0, 0)?
        .and_local_timezone(vn_offset())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// `GET requests/{id}.{fmt}`: a one-element list (the filing client may add its key).
pub async fn one(
    state: &AppState,
    format: Format,
    lang: Lang,
    id: &str,
    query: Option<&str>,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let filed_by = match params.get("api_key") {
        None => None,
        Some(key) => match client(state, format, lang, Some(key)).await {
            Ok(client) => Some(client.id),
            Err(res) => return res,
        },
    };
    if !crate::domain::publication::is_public_id(id) {
        return error(format, StatusCode::NOT_FOUND, lang, "open311-no-request");
    }
    // The filing client reads its own write: the primary.
    let conn = if filed_by.is_some() {
        state.pool.get().await
    } else {
        state.reads.get().await
    };
    let row = match conn {
        Ok(mut conn) => open311::one(&mut conn, id, filed_by).await,
        Err(e) => {
            tracing::warn!(error = %e, "open311: a connection");
            return unavailable(format, lang);
        }
    };
    match row {
        Ok(Some(row)) => answer(
            format,
            "service_requests",
            &requests(state, lang, std::slice::from_ref(&row)),
        ),
        Ok(None) => error(format, StatusCode::NOT_FOUND, lang, "open311-no-request"),
        Err(e) => {
            tracing::warn!(error = %e, "open311: reading a request");
            unavailable(format, lang)
        }
    }
}

/// `GET tokens/{token}.{fmt}`: requests are realtime, so a token is its request's id.
pub fn token(format: Format, lang: Lang, token: &str) -> Response {
    if !crate::domain::publication::is_public_id(token) {
        return error(format, StatusCode::NOT_FOUND, lang, "open311-no-request");
    }
    let list = Val::List(
        "request",
        vec![Val::Obj(vec![
            ("service_request_id", s(token)),
            ("token", s(token)),
        ])],
    );
    answer(format, "service_requests", &list)
}

/// Requests as Open311 lists them: nothing of the citizen.
fn requests(state: &AppState, lang: Lang, rows: &[RequestRow]) -> Val {
    let t = Tr::new(lang);
    let reference = state.reference.get();
    let at = |t: DateTime<Utc>| {
        t.with_timezone(&vn_offset())
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    Val::List(
        "request",
        rows.iter()
            .map(|r| {
                let field = reference.field(&r.field_code);
                let unit = reference.unit(r.unit_id);
                let due = r
                    .reply_due
                    .and_hms_opt(23, 59, 59)
                    .and_then(|d| d.and_local_timezone(vn_offset()).single())
                    .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, false))
                    .unwrap_or_default();
                let description = match (&r.title, &r.question) {
                    (Some(title), Some(q)) => format!("{title}\n\n{q}"),
                    _ => String::new(),
                };
                Val::Obj(vec![
                    ("service_request_id", s(r.service_request_id.clone())),
                    (
                        "status",
                        s(if r.status.is_open() { "open" } else { "closed" }),
                    ),
                    ("status_notes", s(t.t(&r.status.label_id()))),
                    (
                        "service_name",
                        s(field
                            .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
                            .unwrap_or_default()),
                    ),
                    ("service_code", s(r.field_code.clone())),
                    ("description", s(description)),
                    (
                        "agency_responsible",
                        s(unit
                            .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                            .unwrap_or_default()),
                    ),
                    ("service_notice", s(String::new())),
                    ("requested_datetime", s(at(r.received_at))),
                    ("updated_datetime", s(at(r.updated_at))),
                    ("expected_datetime", s(due)),
                    ("address", s(state.cfg.site.address.clone())),
                    ("address_id", s(String::new())),
                    ("zipcode", s(String::new())),
                    ("media_url", s(String::new())),
                ])
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<RequestQuery, &'static str> {
        let now = DateTime::parse_from_rfc3339("2026-12-05T10:00:00+07:00")
            .map(|t| t.with_timezone(&Utc))
            .expect("a time");
        request_query(&Params::parse(s.as_bytes()), now)
    }

    #[test]
    fn the_default_is_the_last_ninety_days_and_a_thousand() {
        let q = q("").expect("valid");
        let (from, to) = (q.from.expect("from"), q.to.expect("to"));
        assert_eq!((to - from).num_days(), 90);
        assert_eq!((q.limit, q.offset, q.open), (1000, 0, None));
    }

    #[test]
    fn more_than_ninety_days_is_refused_and_offsets_are_accepted() {
        assert_eq!(
            q("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z").err(),
            Some("open311-bad-range")
        );
        let ok = q("start_date=2026-01-01T00:00:00-05:00&end_date=2026-03-01").expect("valid");
        assert_eq!(
            ok.from.map(|t| t.to_rfc3339()),
            Some("2026-01-01T05:00:00+00:00".to_string())
        );
        assert_eq!(q("start_date=yesterday").err(), Some("open311-bad-date"));
    }

    #[test]
    fn ids_override_the_rest_and_empty_is_absent() {
        let q1 = q("service_request_id=a,b&start_date=nonsense&status=").expect("valid");
        assert_eq!(q1.ids, vec!["a", "b"]);
        assert!(q1.from.is_none());
        let q2 = q("status=&service_code=&start_date=").expect("valid");
        assert_eq!((q2.open, q2.service_codes.len()), (None, 0));
    }

    #[test]
    fn status_filters() {
        assert_eq!(q("status=open").map(|q| q.open), Ok(Some(true)));
        assert_eq!(q("status=closed").map(|q| q.open), Ok(Some(false)));
        assert_eq!(q("status=open,closed").map(|q| q.open), Ok(None));
        assert_eq!(q("status=done").err(), Some("open311-bad-status"));
        assert_eq!(q("page=0").err(), Some("open311-bad-page"));
        assert_eq!(q("page_size=1001").err(), Some("open311-bad-page"));
        assert_eq!(q("page=3&page_size=10").map(|q| q.offset), Ok(20));
    }

    #[test]
    fn a_title_from_a_long_description() {
        let long = "Tôi ".repeat(60);
        let t = title_of(&long);
        assert!(t.ends_with('…') && t.chars().count() <= TITLE_CHARS + 1);
        assert_eq!(title_of("Một dòng\nhai dòng"), "Một dòng");
    }
}
