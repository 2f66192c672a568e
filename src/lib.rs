//! pakn: receiving and handling citizens' phản ánh, kiến nghị (PAKN) about administrative
//! procedures for a Vietnamese provincial department.
//!
//! - [`domain`]: the rules as plain Rust without I/O (statuses, deadlines and the
//!   working-day calendar, tracking codes, text folding, phone numbers, form tokens).
//! - [`db`]: the schema, migrations and queries on `&mut AsyncPgConnection`.
//! - [`reference`]: units, contacts, lĩnh vực, routing and the calendar: seeded, cached.
//! - [`handling`]: the moves of a PAKN and the actions on it, with their mail and the
//!   periodic automatic moves.
//! - [`web`]: the HTTP layer, one router per feature area.
//! - [`mail`]: the outbox and its delivery.
//! - [`cli`]: the `pakn` commands.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod handling;
pub mod i18n;
pub mod mail;
pub mod reference;
pub mod telemetry;
pub mod web;
pub mod webhooks;
