//! Staff authentication: password hashing, (later) sessions and roles.

pub mod password;
