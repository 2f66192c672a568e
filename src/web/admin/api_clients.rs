//! `/staff/admin/api-clients` (issue 20, item 3): the systems that file and follow PAKN
//! through `/api/v1`. The list shows each client's name, key id, scopes (and the staff
//! account a `staff` client acts as), channel, calls a minute, state and last use; adding
//! one chooses its scopes, account and rate and shows its key once (the page is not
//! stored by the browser, and only the secret's digest is kept); a client is revoked or
//! enabled again in one click. Every change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::db::api_clients::{self, AddError, ApiClient, NewClient};
use crate::db::users;
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
    pub rate_per_min: i32,
    pub enabled: bool,
    pub last_used: String,
}

/// The scopes an admin may give, with their message ids.
const SCOPES: [(&str, &str); 3] = [
    ("file", "admin-api-scope-file"),
    ("watch", "admin-api-scope-watch"),
    ("staff", "admin-api-scope-staff"),
];

pub struct ScopeOption {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

/// What the add form holds (kept when it comes back with an error).
pub struct AddForm {
    pub name: String,
    pub channel: String,
    pub scopes: Vec<String>,
    pub acts_as: Option<i32>,
    pub rate: String,
    pub error: Option<String>,
}

impl AddForm {
    fn blank() -> AddForm {
        AddForm {
            name: String::new(),
            channel: "national_portal".to_string(),
            scopes: vec!["file".to_string()],
            acts_as: None,
            rate: "600".to_string(),
            error: None,
        }
    }
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
    scopes: Vec<ScopeOption>,
    /// Active staff accounts a `staff` client may act as: (id, name and email, chosen).
    accounts: Vec<(i32, String, bool)>,
    form: AddForm,
    /// The key of the client just added, shown this once.
    new_key: Option<(String, String)>,
}

fn view(t: &Tr, c: &ApiClient, accounts: &[(i32, String, bool)]) -> ClientView {
    let acting = c
        .acts_as
        .and_then(|id| accounts.iter().find(|a| a.0 == id))
        .map(|a| format!(" ({})", a.1))
        .unwrap_or_default();
    ClientView {
        id: c.id,
        name: c.name.clone(),
        key_id: format!("pakn_{}_…", c.key_id),
        scopes: format!("{}{acting}", c.scopes.join(", ")),
        rate_per_min: c.rate_per_min,
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
    form: AddForm,
    new_key: Option<(String, String)>,
) -> AppResult<Response> {
    let (clients, users) = {
        let mut conn = state.pool.get().await?;
        (
            api_clients::list(&mut conn).await?,
            users::list(&mut conn).await?,
        )
    };
    let chrome = StaffChrome::new(state, lang, me, "/staff/admin");
    let t = chrome.t;
    let status = if form.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let accounts: Vec<(i32, String, bool)> = users
        .into_iter()
        .filter(|u| u.active)
        .map(|u| {
            (
                u.id,
                format!("{} <{}>", u.name, u.email),
                form.acts_as == Some(u.id),
            )
        })
        .collect();
    let body = ClientsPage {
        clients: clients.iter().map(|c| view(&t, c, &accounts)).collect(),
        channels: CHANNELS
            .iter()
            .map(|c| ChannelOption {
                value: c.as_str(),
                label: t.t(&c.message_id("channel")),
                selected: c.as_str() == form.channel,
            })
            .collect(),
        scopes: SCOPES
            .iter()
            .map(|(value, label)| ScopeOption {
                value,
                label: t.t(label),
                checked: form.scopes.iter().any(|s| s == value),
            })
            .collect(),
        accounts,
        form,
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
    render(&state, &lang, &me, AddForm::blank(), None).await
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
        let mut form = AddForm {
            name: fields.get("name").trim().to_string(),
            channel: fields.get("channel").to_string(),
            scopes: fields
                .all("scope")
                .into_iter()
                .filter(|s| SCOPES.iter().any(|(v, _)| v == s))
                .map(str::to_string)
                .collect(),
            acts_as: fields.get("acts_as").parse().ok(),
            rate: fields.get("rate_per_min").trim().to_string(),
            error: None,
        };
        let rate = form.rate.parse::<i32>().ok().filter(|r| *r >= 1);
        let staff = form.scopes.iter().any(|s| s == "staff");
        let problem = if form.name.is_empty() || form.name.chars().count() > 120 {
            Some("admin-api-name-needed")
        } else if !CHANNELS.iter().any(|c| c.as_str() == form.channel) {
            Some("admin-api-channel-needed")
        } else if form.scopes.is_empty() {
            Some("admin-api-scope-needed")
        } else if staff && form.acts_as.is_none() {
            Some("admin-api-acts-as-needed")
        } else if rate.is_none() {
            Some("admin-api-rate-needed")
        } else {
            None
        };
        if let Some(id) = problem {
            form.error = Some(t.t(id));
            return render(&state, &lang, &me, form, None).await;
        }
        let key = api_key::generate(&mut rand::rng());
        let added = {
            let new = NewClient {
                name: &form.name,
                scopes: &form.scopes,
                channel: &form.channel,
                rate_per_min: rate.unwrap_or(600),
                acts_as: if staff { form.acts_as } else { None },
            };
            let mut conn = state.pool.get().await?;
            api_clients::create_audited(&mut conn, &new, (&key.id, &key.digest), me.id).await
        };
        match added {
            Ok(client) => {
                let shown = (client.name, key.full);
                render(&state, &lang, &me, AddForm::blank(), Some(shown)).await
            }
            Err(AddError::NameTaken) => {
                form.error = Some(t.t("admin-api-name-taken"));
                render(&state, &lang, &me, form, None).await
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
    super::switch(state, me, fields, PATH.to_string(), move |conn, on, by| {
        Box::pin(api_clients::set_enabled_audited(conn, id, on, by))
    })
    .await
}
