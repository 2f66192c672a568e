//! The integration tests: one binary (link time), modules per feature area.

mod admin;
mod auth;
mod browser;
mod citizen;
mod cli;
mod commit;
mod db;
mod delivery;
mod edge;
mod faults;
mod filing;
mod mail;
mod migrations;
mod outbox_check;
mod publication;
mod queue;
mod roles;
mod staff_entry;
mod staff_tickets;
mod support;
mod track;
mod visitors;
mod workflow;
