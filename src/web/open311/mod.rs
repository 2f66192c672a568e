//! Open311 GeoReport v2 at `/open311/v2` (issue 20, item 1; `../shared/docs/open311.md`),
//! first part: discovery, the services (one per lĩnh vực) and their definitions (the
//! content category and the kind as attributes), in XML and JSON. The format is the
//! suffix of the last path segment (split on its last dot; any other is a 404); every id
//! and code is a string in JSON; errors are `[{"code":404,"description":"…"}]` (or their
//! XML), described in the caller's language. The service requests (filing, the public
//! list, one request, tokens) are in [`requests`].

mod doc;
mod form;
mod requests;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::web::kit::detached;

use crate::domain::reference::Reference;
use crate::i18n::{Lang, Tr};
use crate::web::kit::SharedState;
use crate::web::kit::accept_language::lang_of;
use doc::{Format, Val, s};

/// When this API's shape last changed (discovery's `changeset`).
const CHANGESET: &str = "2026-12-05T00:00:00+07:00";

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/open311/v2/{file}", get(top).post(post_top))
        .route("/open311/v2/services/{file}", get(definition))
        .route("/open311/v2/requests/{file}", get(request))
        .route("/open311/v2/tokens/{file}", get(token))
}

fn answer(format: Format, root: &str, v: &Val) -> Response {
    (
        [(header::CONTENT_TYPE, format.content_type())],
        format.render(root, v),
    )
        .into_response()
}

/// The 404 for a last segment without a known format (`.xml` or `.json`): described in
/// JSON, since the caller named no format.
fn no_format(lang: Lang) -> Response {
    error(
        Format::Json,
        StatusCode::NOT_FOUND,
        lang,
        "open311-not-found",
    )
}

/// An Open311 error: its code and the description shown to the user.
fn error(format: Format, status: StatusCode, lang: Lang, id: &str) -> Response {
    let errors = Val::List(
        "error",
        vec![Val::Obj(vec![
            ("code", Val::Num(i64::from(status.as_u16()))),
            ("description", s(Tr::new(lang).t(id))),
        ])],
    );
    let mut res = answer(format, "errors", &errors);
    *res.status_mut() = status;
    res
}

async fn top(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = lang_of(&headers);
    let Some((stem, format)) = doc::split(&file) else {
        return no_format(lang);
    };
    match stem {
        "discovery" => answer(format, "discovery", &discovery(&state)),
        "services" => answer(format, "services", &services(&state.reference.get(), lang)),
        "requests" => requests::list(&state, format, lang, query.as_deref()).await,
        _ => error(format, StatusCode::NOT_FOUND, lang, "open311-not-found"),
    }
}

/// `POST requests.{fmt}`; any other POST is a 404.
async fn post_top(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    match doc::split(&file) {
        Some(("requests", format)) => {
            // Runs to its end even if the caller goes away (a retry finds the PAKN).
            detached(async move {
                Ok(requests::file(&state, format, lang, query.as_deref(), &body).await)
            })
            .await
        }
        Some((_, format)) => error(format, StatusCode::NOT_FOUND, lang, "open311-not-found"),
        None => no_format(lang),
    }
}

/// `GET requests/{id}.{fmt}`.
async fn request(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = lang_of(&headers);
    match doc::split(&file) {
        Some((id, format)) => requests::one(&state, format, lang, id, query.as_deref()).await,
        None => no_format(lang),
    }
}

/// `GET tokens/{token}.{fmt}`.
async fn token(headers: HeaderMap, Path(file): Path<String>) -> Response {
    let lang = lang_of(&headers);
    match doc::split(&file) {
        Some((t, format)) => requests::token(format, lang, t),
        None => no_format(lang),
    }
}

fn discovery(state: &SharedState) -> Val {
    let base = format!(
        "{}/open311/v2",
        state.cfg.server.public_url.trim_end_matches('/')
    );
    Val::Obj(vec![
        ("changeset", s(CHANGESET)),
        ("contact", s(state.cfg.site.name_vi.clone())),
        ("key_service", s(state.cfg.site.address.clone())),
        (
            "endpoints",
            Val::List(
                "endpoint",
                vec![Val::Obj(vec![
                    ("specification", s("http://wiki.open311.org/GeoReport_v2")),
                    ("url", s(base)),
                    ("changeset", s(CHANGESET)),
                    ("type", s("production")),
                    (
                        "formats",
                        Val::List("format", vec![s("text/xml"), s("application/json")]),
                    ),
                ])],
            ),
        ),
    ])
}

fn services(reference: &Reference, lang: Lang) -> Val {
    let t = Tr::new(lang);
    Val::List(
        "service",
        reference
            .active_fields()
            .map(|f| {
                Val::Obj(vec![
                    ("service_code", s(f.code.clone())),
                    (
                        "service_name",
                        s(t.pick(&f.name_vi, &f.name_en).to_string()),
                    ),
                    ("description", s(t.t("open311-service-description"))),
                    ("metadata", Val::Bool(true)),
                    ("type", s("realtime")),
                    ("keywords", s(String::new())),
                    ("group", s(t.t("open311-group"))),
                ])
            })
            .collect(),
    )
}

async fn definition(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let lang = lang_of(&headers);
    let Some((code, format)) = doc::split(&file) else {
        return no_format(lang);
    };
    let reference = state.reference.get();
    if !reference.active_fields().any(|f| f.code == code) {
        return error(format, StatusCode::NOT_FOUND, lang, "open311-no-service");
    }
    let t = Tr::new(lang);
    let attribute = |order: i64, code: &str, name: String, values: Vec<(String, String)>| {
        let required = code != "publish_consent";
        Val::Obj(vec![
            ("variable", Val::Bool(true)),
            ("code", s(code)),
            ("datatype", s("singlevaluelist")),
            ("required", Val::Bool(required)),
            ("datatype_description", s(String::new())),
            ("order", Val::Num(order)),
            ("description", s(name)),
            (
                "values",
                Val::List(
                    "value",
                    values
                        .into_iter()
                        .map(|(key, name)| Val::Obj(vec![("key", s(key)), ("name", s(name))]))
                        .collect(),
                ),
            ),
        ])
    };
    let categories = reference
        .active_categories()
        .map(|c| (c.code.clone(), t.pick(&c.name_vi, &c.name_en).to_string()))
        .collect();
    let kinds = ["phan_anh", "kien_nghi"]
        .into_iter()
        .map(|k| (k.to_string(), t.t(&format!("kind-{}", k.replace('_', "-")))))
        .collect();
    let yes = || ("yes".to_string(), t.t("open311-value-yes"));
    let no = || ("no".to_string(), t.t("open311-value-no"));
    let title = Val::Obj(vec![
        ("variable", Val::Bool(true)),
        ("code", s("title")),
        ("datatype", s("string")),
        ("required", Val::Bool(false)),
        ("datatype_description", s(String::new())),
        ("order", Val::Num(3)),
        ("description", s(t.t("open311-attr-title"))),
    ]);
    let def = Val::Obj(vec![
        ("service_code", s(code)),
        (
            "attributes",
            Val::List(
                "attribute",
                vec![
                    attribute(
                        1,
                        "content_category",
                        t.t("open311-attr-category"),
                        categories,
                    ),
                    attribute(2, "kind", t.t("open311-attr-kind"), kinds),
                    title,
                    attribute(4, "consent", t.t("open311-attr-consent"), vec![yes()]),
                    attribute(
                        5,
                        "publish_consent",
                        t.t("open311-attr-publish-consent"),
                        vec![yes(), no()],
                    ),
                ],
            ),
        ),
    ]);
    answer(format, "service_definition", &def)
}
