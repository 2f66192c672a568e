//! The periodic report and the public figures (issue 18): `/staff/reports` (a period, a
//! basis and a grouping; every figure links to the queue of the PAKN it counts), its
//! printable page and its XLSX and CSV files in the layout of an administrative report,
//! and `/statistics`, the public figures by lĩnh vực and month. Everything is read from
//! the report aggregates (`db::reports`) and the open tickets' index.

mod charts;
mod export;
mod model;
mod page;
mod statistics;
mod table;

use axum::Router;
use axum::routing::get;

use crate::web::kit::SharedState;

/// The staff routes (merged under the staff session layer).
pub fn staff_router() -> Router<SharedState> {
    Router::new()
        .route("/staff/reports", get(page::show))
        .route("/staff/reports/print", get(page::print))
        .route("/staff/reports/report.csv", get(export::csv))
        .route("/staff/reports/report.xlsx", get(export::xlsx))
}

/// The public route (no session).
pub fn public_router() -> Router<SharedState> {
    Router::new().route("/statistics", get(statistics::show))
}
