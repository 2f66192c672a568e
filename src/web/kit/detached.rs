//! Runs a write handler's work to its end even if the client goes away: a dropped
//! connection must never half-do a request (the future of an axum handler is dropped
//! with its connection; a spawned task is not).

use std::future::Future;

use axum::response::{IntoResponse, Response};

use super::error::{AppError, AppResult};

/// Runs `work` in its own task and answers with what it answers.
pub async fn detached<F>(work: F) -> Response
where
    F: Future<Output = AppResult<Response>> + Send + 'static,
{
    match tokio::spawn(work).await {
        Ok(Ok(res)) => res,
        Ok(Err(e)) => e.into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("request task failed: {e}")).into_response(),
    }
}
