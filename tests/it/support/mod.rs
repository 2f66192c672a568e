//! Shared helpers for the integration tests.

pub mod app;
pub mod axe;
pub mod browser;
pub mod outbox;
pub mod pg;
pub mod smtp;
