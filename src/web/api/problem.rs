//! Errors of `/api/v1` as RFC 9457 problem details (`application/problem+json`): `type`
//! (a path naming the problem), `title` in the language asked by `Accept-Language`
//! (Vietnamese unless English comes first), both titles as `title_vi` and `title_en`,
//! `status`, and for a refused filing the fields and what is wrong with each.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{Lang, Tr};

/// One refused field: its name and the message in each language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// An RFC 9457 problem detail, as the API answers every error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// A path naming the problem: `/api/v1/problems/invalid-key`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The title in the language asked by `Accept-Language`.
    pub title: String,
    pub status: u16,
    pub title_vi: String,
    pub title_en: String,
    /// For a refused filing or move: each field and what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    /// A 503 for a database that failed `what` (logged with the error, which carries no
    /// personal data: a pool or query error).
    pub fn unavailable(lang: Lang, what: &str, e: impl std::fmt::Display) -> Problem {
        tracing::warn!(error = %e, what, "api: the database failed");
        Problem::busy(lang)
    }

    /// A 503 for a failure already logged where it happened.
    pub fn busy(lang: Lang) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "api-problem-unavailable",
            lang,
        )
    }

    /// A 404: nothing of this caller's has this name.
    pub fn not_found(lang: Lang) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "api-problem-not-found",
            lang,
        )
    }

    /// A 403: the client's key may not do this.
    pub fn out_of_scope(lang: Lang) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "out-of-scope",
            "api-problem-out-of-scope",
            lang,
        )
    }

    /// This problem with one refused field, its message (`message_id`) in both languages.
    pub fn with_field(mut self, field: &str, message_id: &str) -> Problem {
        self.errors.push(FieldProblem {
            field: field.to_string(),
            message_vi: Tr::new(Lang::Vi).t(message_id),
            message_en: Tr::new(Lang::En).t(message_id),
        });
        self
    }

    /// A 400 for a body that is not the JSON expected, with the parser's reason (its own
    /// words, technical) after a sentence in each language.
    pub fn bad_json(lang: Lang, why: &str) -> Problem {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            "api-problem-invalid-json",
            lang,
        );
        let say = |l: Lang| Tr::new(l).t1("api-problem-json-detail", "detail", why.to_string());
        p.errors.push(FieldProblem {
            field: String::new(),
            message_vi: say(Lang::Vi),
            message_en: say(Lang::En),
        });
        p
    }

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
        let body = ProblemBody {
            kind: format!("/api/v1/problems/{}", self.kind),
            title: Tr::new(self.lang).t(self.title_id),
            status: self.status.as_u16(),
            title_vi: vi.t(self.title_id),
            title_en: en.t(self.title_id),
            errors: self.errors,
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

/// The answers every authenticated call may give besides its own (for the OpenAPI
/// document: `responses(…, Common)`).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Common {
    /// A missing, wrong or revoked key.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(ProblemBody),
    /// Past the client's calls a minute.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = u32, description = "Seconds to wait"))
    )]
    RateLimited(ProblemBody),
    /// The database is unavailable: try again.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(ProblemBody),
}
