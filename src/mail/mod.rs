//! Mail: the outbox that commits with the change that causes it, and its delivery.
//!
//! - [`enqueue`] (the contract): any feature queues mail inside its own transaction; the
//!   mail exists exactly when the change that causes it commits.
//! - [`compose`]: the mails of a filing (the citizen's acknowledgement, the notification
//!   of the routing rule's contacts), rendered from askama templates.
//! - [`publication`]: the mail telling the citizen their answer was published.
//! - [`privacy_answer`]: the answer to a data-subject request.
//! - [`sight`]: every mail of a PAKN and its state, the mail in trouble, re-addressing
//!   a PAKN's mail to a corrected address.
//! - [`message`]: an outbox row as a MIME message with the threading headers.
//! - [`transport`]: `file` (one `.eml` per row) or `smtp` (one pool of SMTP connections,
//!   [`smtp`]).
//! - [`inbound`]: mail that comes in; [`inbound::parse`] decodes one raw message (ids,
//!   addresses, subject, the new text of a reply, files, automatic mail, bounces).
//! - [`worker`]: claims due rows with `FOR UPDATE SKIP LOCKED`, sends, retries with
//!   backoff, marks permanent failures.

pub mod citizen;
pub mod compose;
pub mod digest;
pub mod inbound;
pub mod message;
pub mod notification;
pub mod outbox;
pub mod privacy_answer;
pub mod private_link;
pub mod publication;
pub mod reply_address;
pub mod sight;
pub mod smtp;
pub mod staff_notice;
pub mod transport;
pub mod worker;

pub use outbox::{OutgoingMail, enqueue, enqueue_all, enqueue_for_ticket};
