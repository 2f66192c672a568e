//! Staff authentication: password hashing, the Postgres session store, what a session
//! holds, roles and the logged-in user.

pub mod password;
pub mod second_factor;
pub mod session;
pub mod session_store;
pub mod throttle;
pub mod user;

pub use user::StaffUser;
