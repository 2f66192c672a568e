//! The integration tests: one binary (link time), modules per feature area.

mod auth;
mod browser;
mod cli;
mod db;
mod filing;
mod mail;
mod queue;
mod roles;
mod staff_entry;
mod staff_tickets;
mod support;
