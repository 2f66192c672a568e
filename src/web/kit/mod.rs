//! What the web feature areas share, so that they never import one another: the state
//! every handler reaches, the page chrome (public and staff), the request's language,
//! the error policy, the staff session and its extractors, form fields and refused
//! attempts, multipart uploads under their limits, the run-to-completion helper for
//! writes, anti-forgery, the client's address, rate limits, assets and the visitor
//! counter.
//!
//! A handler in a feature area reads: extract (with these extractors), call one
//! `handling::` use case or one `db::` read, render (with [`Chrome`] or
//! [`StaffChrome`] and [`page`]).

pub mod accept_language;
pub mod api_client;
pub mod assets;
pub mod attempt;
pub mod calendar_gaps;
pub mod chart;
pub mod choices;
pub mod chrome;
pub mod client_ip;
pub mod counts;
pub mod csrf;
pub mod date;
pub mod detached;
pub mod error;
pub mod event_details;
pub mod field_labels;
pub mod fields;
pub mod form_view;
pub mod highlight;
pub mod lang;
pub mod mail_lines;
pub mod markup;
pub mod messages;
pub mod numbers;
pub mod outage;
pub mod rate_limit;
pub mod request_id;
pub mod search_words;
pub mod session;
pub mod staff_auth;
pub mod staff_chrome;
pub mod staff_error;
pub mod stash;
pub mod state;
pub mod ticket;
pub mod upload;
pub mod upload_gate;
pub mod visits;

pub use chrome::{Chrome, page, page_no_store};
pub use detached::detached;
pub use error::{AppError, AppResult};
pub use fields::Fields;
pub use lang::RequestLang;
pub use staff_auth::{AdminUser, LOGIN_PATH, StaffRejection, check_csrf, session_error};
pub use staff_chrome::{NavLink, StaffChrome};
pub use state::{AppState, SharedState};
