//! Webhooks (issue 20, item 4): an API client's subscriptions hear what happens to PAKN
//! (filed, status changed, information requested, answered, published, rated). Triggers
//! queue a delivery in the transaction that makes the event (migration 000053), the
//! [`worker`] posts it signed per Standard Webhooks ([`sign`]), retries with backoff, and
//! switches off a subscription that has failed for `[webhooks] disable_after_hours`,
//! mailing the admins ([`notice`]).

pub mod notice;
pub mod sign;
pub mod worker;

/// The events a subscription may hear, in the order they happen.
pub const EVENTS: &[&str] = &[
    "pakn.filed",
    "pakn.status_changed",
    "pakn.information_requested",
    "pakn.answered",
    "pakn.published",
    "pakn.rated",
];

/// Whether `name` is an event a subscription may hear.
pub fn is_event(name: &str) -> bool {
    EVENTS.contains(&name)
}
