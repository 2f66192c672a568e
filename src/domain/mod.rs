//! Pure domain logic without I/O: tracking codes, text folding, PII masking, phone
//! numbers, the working-day calendar with legal deadline counting, signed
//! form tokens, the filing form, attachments, routing rules, the checks of
//! admin-edited reference data, and the new text of a reply by mail.

pub mod access;
pub mod admin;
pub mod api_key;
pub mod attachment;
pub mod calendar;
pub mod calendar_coverage;
pub mod code;
pub mod digest;
pub mod feedback;
pub mod fold;
pub mod form_token;
pub mod highlight;
pub mod inbound;
pub mod intake;
pub mod lunar;
pub mod mail_state;
pub mod mailbox;
pub mod masking;
pub mod next_step;
pub mod phone;
pub mod publication;
pub mod recipients;
pub mod reference;
pub mod reminders;
pub mod reply_template;
pub mod reply_text;
pub mod reply_token;
pub mod report;
pub mod routing;
pub mod schedule;
pub mod search;
pub mod status;
pub mod synonyms;
pub mod time_keys;
pub mod totp;
pub mod tracking_code;
pub mod workflow;
