//! `/staff/admin/api-clients` (issue 20, item 3): the systems that file and follow PAKN
//! through `/api/v1`. The list shows each client's name, key id, scopes, channel, state
//! and last use; adding one shows its key once (the page is not stored by the browser,
//! and only the secret's digest is kept); a client is revoked or enabled again in one
//! click. Every change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::db::api_clients::{self, AddError, ApiClient};
use crate::domain::api_key;
use crate::domain::calendar::format_datetime;
use crate::domain::feedback::Channel;
use crate::i18n::Tr;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AdminUser, Fields, RequestLang, SharedState, StaffChrome};
use crate::web::kit::{check_csrf, detached, page_no_store};

const PATH: &str = "/staff/admin/api-clients";
/// The channels a client's PAKN may come through.
const CHANNELS: [Channel; 3] = [
    Channel::NationalPortal,
    Channel::ProvincialCommittee,
    Channel::Api,
];

pub struct ClientView {
    pub id: i32,
    pub name: String,
    pub key_id: String,
    pub scopes: String,
    pub channel: String,
    pub enabled: bool,
    pub last_used: String,
}

pub struct ChannelOption {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/api_clients.html")]
struct ClientsPage {
    chrome: StaffChrome,
    clients: Vec<ClientView>,
    channels: Vec<ChannelOption>,
    /// What the add form holds (kept when it comes back with an error).
    name: String,
    error: Option<String>,
    /// The key of the client just added, shown this once.
    new_key: Option<(String, String)>,
}

fn view(t: &Tr, c: &ApiClient) -> ClientView {
    ClientView {
        id: c.id,
        name: c.name.clone(),
        key_id: format!("pakn_{}_…", c.key_id),
        scopes: c.scopes.join(", "),
        channel: Channel::parse(&c.channel)
            .map(|ch| t.t(&ch.message_id("channel")))
            .unwrap_or_else(|| c.channel.clone()),
        enabled: c.enabled,
        last_used: c
            .last_used_at
            .map(format_datetime)
            .unwrap_or_else(|| t.t("admin-api-never")),
    }
}

async fn render(
    state: &SharedState,
    lang: &RequestLang,
    me: &crate::auth::StaffUser,
    (name, channel, error): (String, &str, Option<String>),
    new_key: Option<(String, String)>,
) -> AppResult<Response> {
    let clients = {
        let mut conn = state.pool.get().await?;
        api_clients::list(&mut conn).await?
    };
    let chrome = StaffChrome::new(state, lang, me, "/staff/admin");
    let t = chrome.t;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = ClientsPage {
        clients: clients.iter().map(|c| view(&t, c)).collect(),
        channels: CHANNELS
            .iter()
            .map(|c| ChannelOption {
                value: c.as_str(),
                label: t.t(&c.message_id("channel")),
                selected: c.as_str() == channel,
            })
            .collect(),
        name,
        error,
        new_key,
        chrome,
    };
    // A page with a key, or with what was typed, is never kept by the browser.
    Ok(page_no_store(status, lang, body))
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
) -> AppResult<Response> {
    render(
        &state,
        &lang,
        &me,
        (String::new(), "national_portal", None),
        None,
    )
    .await
}

/// `POST /staff/admin/api-clients`: adds a client and shows its key once.
pub async fn add(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let t = lang.tr();
        let name = fields.get("name").trim().to_string();
        let channel = fields.get("channel").to_string();
        let back = |error: String| (name.clone(), channel.as_str(), Some(error));
        if name.is_empty() || name.chars().count() > 120 {
            return render(&state, &lang, &me, back(t.t("admin-api-name-needed")), None).await;
        }
        if !CHANNELS.iter().any(|c| c.as_str() == channel) {
            return render(
                &state,
                &lang,
                &me,
                back(t.t("admin-api-channel-needed")),
                None,
            )
            .await;
        }
        let key = api_key::generate(&mut rand::rng());
        let added = {
            let mut conn = state.pool.get().await?;
            api_clients::create_audited(
                &mut conn,
                &name,
                (&key.id, &key.digest),
                &["file".to_string()],
                &channel,
                me.id,
            )
            .await
        };
        match added {
            Ok(client) => {
                let shown = (client.name, key.full);
                render(
                    &state,
                    &lang,
                    &me,
                    (String::new(), "national_portal", None),
                    Some(shown),
                )
                .await
            }
            Err(AddError::NameTaken) => {
                render(&state, &lang, &me, back(t.t("admin-api-name-taken")), None).await
            }
            Err(AddError::Db(e)) => Err(AppError::from(e)),
        }
    })
    .await
}

/// `POST /staff/admin/api-clients/{id}/enabled` with `enabled` = `0` (revoke) or `1`.
pub async fn set_enabled(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(id): Path<i32>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let enabled = fields.get("enabled") == "1";
        let found = {
            let mut conn = state.pool.get().await?;
            api_clients::set_enabled_audited(&mut conn, id, enabled, me.id).await?
        };
        if !found {
            return Err(AppError::NotFound);
        }
        Ok(Redirect::to(PATH).into_response())
    })
    .await
}
