//! The error policy of handlers: [`AppError`] maps to a status and an error page in both
//! languages with an operation id; the cause goes to the log under that id, never to
//! the page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use rand::Rng;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The user may not do this (role or unit).
    #[error("forbidden")]
    Forbidden,
    /// A staff form without the session's anti-forgery token: answered with the
    /// localised rejection page (see `web::csrf`).
    #[error("anti-forgery token missing or wrong")]
    Csrf,
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("connection pool: {0}")]
    Pool(String),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("{0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        AppError::Pool(e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    op_id: String,
    not_found: bool,
    forbidden: bool,
    unavailable: bool,
}

fn render(status: StatusCode, op_id: String) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        op_id,
        not_found: status == StatusCode::NOT_FOUND,
        forbidden: status == StatusCode::FORBIDDEN,
        unavailable: status == StatusCode::SERVICE_UNAVAILABLE,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "Lỗi hệ thống / System error".to_string());
    (status, Html(body)).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let op_id = format!("{:08x}", rand::rng().random::<u32>());
        match self {
            AppError::NotFound => render(StatusCode::NOT_FOUND, op_id),
            AppError::Forbidden => render(StatusCode::FORBIDDEN, op_id),
            AppError::Csrf => {
                let mut res = render(StatusCode::FORBIDDEN, op_id);
                res.extensions_mut().insert(super::csrf::Rejected);
                res
            }
            AppError::Pool(e) => {
                tracing::error!(op_id, error = %e, "no database connection");
                render(StatusCode::SERVICE_UNAVAILABLE, op_id)
            }
            other => {
                tracing::error!(op_id, error = %other, "request failed");
                render(StatusCode::INTERNAL_SERVER_ERROR, op_id)
            }
        }
    }
}

pub async fn not_found() -> Response {
    AppError::NotFound.into_response()
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let op_id = format!("{:08x}", rand::rng().random::<u32>());
    tracing::error!(op_id, "handler panicked");
    render(StatusCode::INTERNAL_SERVER_ERROR, op_id)
}
