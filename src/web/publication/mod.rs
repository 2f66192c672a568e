//! Publication of answers: the staff page where the masked public copy of an answered
//! PAKN is reviewed, edited, published and unpublished ([`staff`], merged into the staff
//! router under its session), and the public list and pages of published answers
//! ([`public`]: `/answers`, `/answers/{public_id}`), which never show the tracking code,
//! names or contacts.

pub mod public;
pub mod staff;
