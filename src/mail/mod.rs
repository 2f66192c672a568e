//! Mail: the outbox that commits with the change that causes it, and its delivery.

pub mod address;
