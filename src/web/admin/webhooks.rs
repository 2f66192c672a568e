//! `/staff/admin/webhooks` (issue 20, item 4): the API clients' webhook subscriptions.
//! The list shows each one's client, address, events, state (and since when it fails),
//! deliveries waiting and delivered; a subscription is added (its signing secret shown
//! once, the page not stored), switched off and on in one click. Each has a delivery log
//! (`/staff/admin/webhooks/{id}`) where any delivery is sent again. Every change is
//! audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::db::api_clients;
use crate::db::webhooks::{self as data, AddError, DeliveryRow, SubscriptionRow};
use crate::domain::calendar::format_datetime;
use crate::i18n::Tr;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AdminUser, Fields, RequestLang, SharedState, StaffChrome};
use crate::web::kit::{check_csrf, detached, page_no_store};
use crate::webhooks::{self, sign};

const PATH: &str = "/staff/admin/webhooks";
/// Deliveries a log page shows.
const LOG_ROWS: i64 = 100;

pub struct EventChoice {
    pub name: &'static str,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
struct ListPage {
    chrome: StaffChrome,
    subscriptions: Vec<SubscriptionView>,
    clients: Vec<(String, bool)>,
    events: Vec<EventChoice>,
    url: String,
    error: Option<String>,
    /// The subscription just added and its secret, shown this once.
    new_secret: Option<(i32, String)>,
}

pub struct SubscriptionView {
    pub id: i32,
    pub client: String,
    pub url: String,
    pub events: String,
    pub enabled: bool,
    pub failing_since: Option<String>,
    pub pending: i64,
    pub delivered: i64,
}

fn view(s: &SubscriptionRow) -> SubscriptionView {
    SubscriptionView {
        id: s.id,
        client: s.client_name.clone(),
        url: s.url.clone(),
        events: s.events.join(", "),
        enabled: s.enabled,
        failing_since: s.failing_since.map(format_datetime),
        pending: s.pending,
        delivered: s.delivered,
    }
}

struct Form<'a> {
    client: &'a str,
    url: String,
    events: Vec<String>,
    error: Option<String>,
}

async fn render(
    state: &SharedState,
    lang: &RequestLang,
    me: &crate::auth::StaffUser,
    form: Form<'_>,
    new_secret: Option<(i32, String)>,
) -> AppResult<Response> {
    let (subscriptions, clients) = {
        let mut conn = state.pool.get().await?;
        (
            data::list(&mut conn).await?,
            api_clients::list(&mut conn).await?,
        )
    };
    let chrome = StaffChrome::new(state, lang, me, "/staff/admin");
    let status = if form.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = ListPage {
        subscriptions: subscriptions.iter().map(view).collect(),
        clients: clients
            .into_iter()
            .map(|c| {
                let chosen = c.name == form.client;
                (c.name, chosen)
            })
            .collect(),
        events: webhooks::EVENTS
            .iter()
            .map(|e| EventChoice {
                name: e,
                checked: form.events.is_empty() || form.events.iter().any(|f| f == e),
            })
            .collect(),
        url: form.url,
        error: form.error,
        new_secret,
        chrome,
    };
    Ok(page_no_store(status, lang, body))
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
) -> AppResult<Response> {
    let form = Form {
        client: "",
        url: String::new(),
        events: Vec::new(),
        error: None,
    };
    render(&state, &lang, &me, form, None).await
}

/// What is wrong with an address, as a message id.
fn url_problem(url: &str) -> Option<&'static str> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => None,
        _ => Some("admin-webhook-url-needed"),
    }
}

/// `POST /staff/admin/webhooks`: subscribes a client and shows the secret once.
pub async fn add(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let t: Tr = lang.tr();
        let client = fields.get("client").to_string();
        let url = fields.get("url").trim().to_string();
        let events: Vec<String> = fields
            .all("event")
            .into_iter()
            .filter(|e| webhooks::is_event(e))
            .map(str::to_string)
            .collect();
        let problem =
            url_problem(&url).or(events.is_empty().then_some("admin-webhook-events-needed"));
        let form = |error: Option<String>| Form {
            client: &client,
            url: url.clone(),
            events: events.clone(),
            error,
        };
        if let Some(id) = problem {
            return render(&state, &lang, &me, form(Some(t.t(id))), None).await;
        }
        let salt = sign::new_salt();
        let added = {
            let mut conn = state.pool.get().await?;
            data::add(&mut conn, &client, (&url, &events), &salt, Some(me.id)).await
        };
        match added {
            Ok(id) => {
                let secret = sign::whsec(&sign::SigningKeys::new(&state.secret).secret(&salt));
                let blank = Form {
                    client: "",
                    url: String::new(),
                    events: Vec::new(),
                    error: None,
                };
                render(&state, &lang, &me, blank, Some((id, secret))).await
            }
            Err(AddError::NoClient) => {
                let error = Some(t.t("admin-webhook-client-needed"));
                render(&state, &lang, &me, form(error), None).await
            }
            Err(AddError::Db(e)) => Err(AppError::from(e)),
        }
    })
    .await
}

/// `POST /staff/admin/webhooks/{id}/enabled` with `enabled` = `0` or `1`.
pub async fn set_enabled(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> Response {
    super::switch(state, me, fields, PATH.to_string(), move |conn, on, by| {
        Box::pin(data::set_enabled(conn, id, on, Some(by)))
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhook_log.html")]
struct LogPage {
    chrome: StaffChrome,
    s: SubscriptionView,
    deliveries: Vec<DeliveryView>,
}

pub struct DeliveryView {
    pub id: i64,
    pub msg_id: String,
    pub event: String,
    pub created: String,
    pub attempts: i32,
    pub outcome: String,
    pub delivered: bool,
    pub next: String,
}

fn delivery(t: &Tr, d: &DeliveryRow) -> DeliveryView {
    let outcome = match (&d.delivered_at, d.last_status, &d.last_error) {
        (Some(_), Some(status), _) => format!("HTTP {status}"),
        (_, _, Some(error)) => error.clone(),
        _ => t.t("admin-webhook-waiting"),
    };
    DeliveryView {
        id: d.id,
        msg_id: d.msg_id.clone(),
        event: d.event.clone(),
        created: format_datetime(d.created_at),
        attempts: d.attempts,
        outcome,
        delivered: d.delivered_at.is_some(),
        next: d
            .delivered_at
            .map_or_else(|| format_datetime(d.next_attempt_at), format_datetime),
    }
}

/// `GET /staff/admin/webhooks/{id}`: the delivery log.
pub async fn log(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let (s, rows) = {
        let mut conn = state.pool.get().await?;
        let s = data::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
        (s, data::deliveries(&mut conn, id, LOG_ROWS).await?)
    };
    let chrome = StaffChrome::new(&state, &lang, &me, "/staff/admin");
    let t = chrome.t;
    let body = LogPage {
        s: view(&s),
        deliveries: rows.iter().map(|d| delivery(&t, d)).collect(),
        chrome,
    };
    Ok(page_no_store(StatusCode::OK, &lang, body))
}

/// `POST /staff/admin/webhooks/{id}/replay/{delivery}`: sends a delivery again.
pub async fn replay(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path((id, delivery)): Path<(i32, i64)>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let found = {
            let mut conn = state.pool.get().await?;
            data::replay(&mut conn, id, delivery, me.id).await?
        };
        if !found {
            return Err(AppError::NotFound);
        }
        Ok(Redirect::to(&format!("{PATH}/{id}")).into_response())
    })
    .await
}
