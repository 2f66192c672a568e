//! The error policy of handlers: [`AppError`] maps to a status and an error page in both
//! languages with an operation id; the cause goes to the log under that id, never to
//! the page.
//!
//! A database outage (no connection to be had, or one lost mid-request) is a 503 with
//! `Retry-After` and the [`Outage`] mark: [`super::outage`] turns it into the page that
//! tells the citizen nothing was filed and gives the hotline.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

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

/// How long a client is asked to wait after an outage answer.
pub const OUTAGE_RETRY_AFTER_SECS: u32 = 30;

/// The mark of a response that answers a database outage.
#[derive(Debug, Clone, Copy)]
pub struct Outage;

impl AppError {
    /// Whether this is the database being unreachable, rather than a fault of the
    /// request: no connection from the pool, a connection lost or refused mid-way,
    /// or Postgres shutting down, restarting or recovering.
    pub fn is_outage(&self) -> bool {
        match self {
            AppError::Pool(_) => true,
            AppError::Database(e) => is_outage_error(e),
            AppError::Internal(e) => e.chain().any(|cause| {
                cause
                    .downcast_ref::<diesel::result::Error>()
                    .is_some_and(is_outage_error)
                    || cause
                        .downcast_ref::<diesel_async::pooled_connection::deadpool::PoolError>()
                        .is_some()
            }),
            _ => false,
        }
    }
}

fn is_outage_error(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | Error::BrokenTransactionManager => true,
        // 57P01–57P03: the server is shutting down, crashed or starting up (the driver
        // gives no code here, only the message).
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.starts_with("terminating connection") || m.starts_with("the database system is")
        }
        _ => false,
    }
}

/// The 503 of an outage: `Retry-After` and the [`Outage`] mark (the outage page
/// replaces the given body).
pub fn outage_response(res: Response) -> Response {
    let mut res = retry_later(res);
    res.extensions_mut().insert(Outage);
    res
}

/// A page that answers an outage itself (the filing form with what was typed): 503 and
/// `Retry-After`, kept as it is.
pub fn retry_later(mut res: Response) -> Response {
    *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    res.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(OUTAGE_RETRY_AFTER_SECS),
    );
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    op_id: String,
    not_found: bool,
    forbidden: bool,
    unavailable: bool,
}

/// Marks a response as this module's error page, so that the staff routes may render it
/// again inside the staff chrome (`staff_error`).
#[derive(Debug, Clone, Copy)]
pub struct ErrorPageMarker;

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
    let mut res = (status, Html(body)).into_response();
    res.extensions_mut().insert(ErrorPageMarker);
    res
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let op_id = op_id();
        match self {
            AppError::NotFound => render(StatusCode::NOT_FOUND, op_id),
            AppError::Forbidden => render(StatusCode::FORBIDDEN, op_id),
            AppError::Csrf => {
                let mut res = render(StatusCode::FORBIDDEN, op_id);
                res.extensions_mut().insert(super::csrf::Rejected);
                res
            }
            outage if outage.is_outage() => {
                tracing::error!(op_id, error = %outage, "database unavailable");
                outage_response(render(StatusCode::SERVICE_UNAVAILABLE, op_id))
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

/// The id an error page shows: the request's (its log lines carry it too).
fn op_id() -> String {
    super::request_id::current().unwrap_or_else(super::request_id::fresh)
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let op_id = op_id();
    tracing::error!(op_id, "handler panicked");
    render(StatusCode::INTERNAL_SERVER_ERROR, op_id)
}
