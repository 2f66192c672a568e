//! Shared helpers for the integration tests.

pub mod app;
pub mod axe;
pub mod browser;
pub mod cluster;
pub mod dovecot;
pub mod outbox;
pub mod pg;
pub mod smtp;
