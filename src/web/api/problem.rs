//! Errors of `/api/v1` as RFC 9457 problem details (`application/problem+json`): `type`
//! (a path naming the problem), `title` in the language asked by `Accept-Language`
//! (Vietnamese unless English comes first), both titles as `title_vi` and `title_en`,
//! `status`, and for a refused filing the fields and what is wrong with each.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{Lang, Tr};

/// One refused field: its name and the message in each language.
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message_vi: String,
    pub message_en: String,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// The problem's name: `missing-key`, `invalid-key`, `out-of-scope`, `invalid-filing`…
    pub kind: &'static str,
    /// The Fluent id of its title.
    pub title_id: &'static str,
    pub lang: Lang,
    pub errors: Vec<FieldProblem>,
    /// Seconds to wait before trying again (a 429).
    pub retry_after: Option<u32>,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    title_vi: String,
    title_en: String,
    #[serde(skip_serializing_if = "<[FieldProblem]>::is_empty")]
    errors: &'a [FieldProblem],
}

impl Problem {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title_id: &'static str,
        lang: Lang,
    ) -> Problem {
        Problem {
            status,
            kind,
            title_id,
            lang,
            errors: Vec::new(),
            retry_after: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let (vi, en) = (Tr::new(Lang::Vi), Tr::new(Lang::En));
        let body = Body {
            kind: format!("/api/v1/problems/{}", self.kind),
            title: Tr::new(self.lang).t(self.title_id),
            status: self.status.as_u16(),
            title_vi: vi.t(self.title_id),
            title_en: en.t(self.title_id),
            errors: &self.errors,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
