//! `GET /staff/tickets/{code}`: the whole PAKN for staff: every field, its files
//! (download only), the timeline, the deadlines and their state, the routing. Each view
//! of the personal data is recorded (who, when). A PAKN the user may not see is a 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::panel::{self, Panel};
use super::view::{Loaded, TicketView, ViewCx};
use crate::auth::StaffUser;
use crate::db::admin::reply_templates;
use crate::db::tickets;
use crate::domain::attachment::content_disposition;
use crate::i18n::{Lang, Tr};
use crate::web::kit::attempt::Attempt;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::ticket::visible_ticket;
use crate::web::kit::{AppState, RequestLang, SharedState, StaffChrome};

const CHROME_PATH: &str = "/staff/tickets";

#[derive(Template, WebTemplate)]
#[template(path = "staff/ticket.html")]
pub struct TicketPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub ticket: TicketView,
    pub panel: Panel,
}

#[derive(Debug, serde::Deserialize)]
pub struct ShowQuery {
    /// The action just carried out (shows its confirmation).
    done: Option<String>,
    /// A reply template to fill its form with (the way to insert one without
    /// JavaScript).
    template: Option<String>,
}

/// What the page shows besides the PAKN: a refused attempt, the confirmation of the
/// action just done, the template chosen.
#[derive(Debug, Default)]
pub struct Extras {
    pub attempt: Option<Attempt>,
    pub done: Option<String>,
    pub template: Option<i32>,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    Query(query): Query<ShowQuery>,
) -> AppResult<Response> {
    let extras = Extras {
        attempt: None,
        done: query
            .done
            .filter(|d| d.len() < 40 && d.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')),
        template: query.template.and_then(|t| t.trim().parse().ok()),
    };
    render_page(&state, &lang, &user, &code, extras, StatusCode::OK).await
}

/// The page after a refused action: its message at its form, with what was typed.
pub async fn render(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    code: &str,
    attempt: Option<Attempt>,
    status: StatusCode,
) -> AppResult<Response> {
    let extras = Extras {
        attempt,
        ..Extras::default()
    };
    render_page(state, lang, user, code, extras, status).await
}

/// Loads the PAKN, builds what this viewer is shown of it (recording the view of its
/// personal data) and the actions offered to them, and renders the page.
async fn render_page(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    code: &str,
    extras: Extras,
    http_status: StatusCode,
) -> AppResult<Response> {
    let viewer = &user.access;
    let ticket = visible_ticket(state, viewer, code).await?;
    let offered = panel::offered(viewer, ticket.unit_id, ticket.status);
    let reference = state.reference.get();
    let cx = ViewCx {
        t: lang.tr(),
        reference: &reference,
        cfg: &state.cfg,
        policy: state.cfg.deadline_policy(),
        now: Utc::now(),
    };
    let mut conn = state.pool.get().await?;
    let loaded = Loaded::load(&mut conn, ticket, &offered).await?;
    let view = TicketView::build(&cx, &loaded, viewer);
    if view.shows_personal_data() {
        tickets::record_personal_data_view(&mut conn, viewer.user_id, loaded.ticket.id, "view")
            .await?;
    }
    let templates = if offered.contains(&"submit_draft") || offered.contains(&"ask_info") {
        reply_templates::offered(&mut conn, &loaded.ticket.field_code).await?
    } else {
        Vec::new()
    };
    drop(conn);
    let mut panel = Panel::build(&cx, &loaded, viewer, offered, extras.attempt, extras.done);
    let ticket_lang = Lang::parse(&loaded.ticket.lang).unwrap_or_default();
    panel.use_templates(&cx.t, ticket_lang, &templates, extras.template);
    panel.link_revocable = viewer.may_act_on(loaded.ticket.unit_id);
    panel.mail_fix = super::mail_fix::fixable(&loaded, viewer);
    let page = TicketPage {
        chrome: StaffChrome::new(state, lang, user, CHROME_PATH),
        t: cx.t,
        panel,
        ticket: view,
    };
    Ok((http_status, crate::web::kit::page(lang, page)).into_response())
}

/// `GET /staff/tickets/{code}/files/{id}`: a file, always as a download.
pub async fn download(
    State(state): State<SharedState>,
    user: StaffUser,
    Path((code, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let viewer = &user.access;
    let ticket = visible_ticket(&state, viewer, &code).await?;
    // A confidential PAKN's files are what it withholds from those outside its reach.
    if !viewer.reads_content(ticket.unit_id, ticket.confidential) {
        return Err(AppError::NotFound);
    }
    let mut conn = state.pool.get().await?;
    let (filename, content_type, data, _origin) =
        tickets::attachment_data(&mut conn, ticket.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
    tickets::record_personal_data_view(&mut conn, viewer.user_id, ticket.id, "download").await?;
    drop(conn);
    let mut res = Response::new(Body::from(data));
    *res.status_mut() = StatusCode::OK;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&filename))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res.into_response())
}
