//! Staff pages about PAKN: the queue with search, the ticket page, staff entry of
//! off-line PAKN, the overview. Who may see what is asked of
//! [`crate::domain::access::Access`].

pub mod actions;
pub mod entry;
pub mod export;
pub mod export_xlsx;
pub mod mail_fix;
pub mod overview;
mod overview_charts;
mod overview_period;
pub mod page;
pub mod panel;
pub mod private_link;
pub mod queue;
mod queue_params;
mod queue_rows;
pub mod queue_tools;
pub mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::web::kit::SharedState;

/// The staff ticket routes (merged into the staff router, under its session layer).
pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/staff/tickets", get(queue::list))
        .route("/staff/tickets/bulk", post(queue_tools::bulk))
        .route("/staff/tickets/export.csv", get(export::csv))
        .route("/staff/tickets/export.xlsx", get(export_xlsx::xlsx))
        .route("/staff/tickets/views", post(queue_tools::save_view))
        .route(
            "/staff/tickets/views/{id}/delete",
            post(queue_tools::delete_view),
        )
        .route(
            "/staff/tickets/new",
            // Multipart with the citizen's documents: `upload::parse` enforces the limit.
            get(entry::new_form)
                .post(entry::create)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/staff/tickets/{code}/receipt", get(entry::receipt))
        .route(
            "/staff/tickets/{code}",
            // The action forms post to the page's own address, so that a refused one
            // comes back there (with its message and what was typed).
            get(page::show)
                .post(actions::act)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/staff/tickets/{code}/act",
            post(actions::act).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/staff/tickets/{code}/files/{id}", get(page::download))
        .route(
            "/staff/tickets/{code}/private-link",
            post(private_link::revoke),
        )
        .route("/staff/tickets/{code}/email", post(mail_fix::correct))
        .route("/staff/overview", get(overview::show))
}
