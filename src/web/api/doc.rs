//! The API's OpenAPI 3.1 document at `/api/v1/openapi.json`, generated from the handlers'
//! annotations and their types (utoipa), so it cannot drift from the code; and
//! `/api/v1/docs`, a page that reads the same document for people (each operation, its
//! parameters, its body and its answers), with Open311 and the webhooks described
//! beside it.

use std::sync::OnceLock;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::pakn::{Filed, FilingBody, FilingParts, Reply, Status, Step};
use super::problem::{FieldProblem, ProblemBody};
use super::staff::{MoveBody, Sender, StaffPage, StaffPakn};
use crate::web::kit::{Chrome, RequestLang, SharedState, page};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "pakn API",
        version = "1.0.0",
        description = "Systems that file PAKN on citizens' behalf and follow them (scope `file`), \
                       and systems that act for the department as one staff account (scope \
                       `staff`). Keys come from `pakn api-client add` or the admin screen and go \
                       in `Authorization: Bearer`. Errors are RFC 9457 problem details with \
                       Vietnamese and English titles."
    ),
    paths(
        super::pakn::file,
        super::pakn::status,
        super::staff::list,
        super::staff::one,
        super::staff::moves
    ),
    components(schemas(
        FilingBody,
        FilingParts,
        Filed,
        Status,
        Step,
        Reply,
        StaffPakn,
        StaffPage,
        Sender,
        MoveBody,
        ProblemBody,
        FieldProblem
    )),
    modifiers(&Bearer),
    tags(
        (name = "file", description = "Filing a PAKN for a citizen and following it"),
        (name = "staff", description = "Reading and moving PAKN as a staff account")
    )
)]
pub struct ApiDoc;

/// The key scheme: `Authorization: Bearer pakn_<key id>_<secret>`.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pakn_<key id>_<secret>")
                    .build(),
            ),
        );
    }
}

/// The document, written once per process.
fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
}

pub async fn json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        document(),
    )
        .into_response()
}

/// One operation as the page lists it.
pub struct OperationView {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub params: Vec<(String, String, String)>,
    pub body: String,
    pub responses: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_docs.html")]
struct DocsPage {
    chrome: Chrome,
    operations: Vec<OperationView>,
}

/// The schema named by a `$ref`, or the type.
fn schema_name(v: &Value) -> String {
    v.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_string)
        .or_else(|| v.get("type").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

fn operations(doc: &Value) -> Vec<OperationView> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let text = |k: &str| op.get(k).and_then(Value::as_str).unwrap_or_default();
            let params = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or_default();
                            (
                                s("name").to_string(),
                                s("in").to_string(),
                                s("description").to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .map(|c| {
                    c.iter()
                        .map(|(kind, v)| format!("{} ({kind})", schema_name(&v["schema"])))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|rs| {
                    rs.iter()
                        .map(|(code, r)| {
                            let d = r
                                .get("description")
                                .and_then(Value::as_str)
                                .unwrap_or_default();
                            (code.clone(), d.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let summary = [text("summary"), text("description")]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_default()
                .to_string();
            out.push(OperationView {
                method: method.to_uppercase(),
                path: path.clone(),
                summary,
                params,
                body,
                responses,
            });
        }
    }
    out
}

pub async fn docs(State(state): State<SharedState>, lang: RequestLang) -> Response {
    let doc: Value = serde_json::from_str(document()).unwrap_or(Value::Null);
    let body = DocsPage {
        chrome: Chrome::new(&state, &lang, "/api/v1/docs"),
        operations: operations(&doc),
    };
    page(&lang, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_operation() {
        let doc: Value = serde_json::from_str(document()).expect("JSON");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1"))
        );
        let ops = operations(&doc);
        assert_eq!(ops.len(), 5);
        assert!(
            ops.iter()
                .any(|o| o.method == "POST" && o.path == "/api/v1/staff/pakn/{code}/moves")
        );
        assert!(doc.pointer("/components/securitySchemes/bearer").is_some());
        for o in &ops {
            let codes: Vec<&str> = o.responses.iter().map(|(c, _)| c.as_str()).collect();
            for common in ["401", "429", "503"] {
                assert!(
                    codes.contains(&common),
                    "{} {}: {codes:?}",
                    o.method,
                    o.path
                );
            }
        }
    }
}
