//! The shape of a new `outbox` row, once: diesel inserts it (`mail::outbox::enqueue*`),
//! and the one-statement filing ([`super::tickets::FilingInsert`]) sends the same rows
//! as JSON and expands them with `jsonb_populate_recordset(NULL::outbox, …)`, naming the
//! columns of [`NEW_ROW_COLUMNS`] (a test keeps that list and the struct's fields equal).

use diesel::prelude::*;
use serde::Serialize;

use super::schema::outbox;

/// The kinds of the new-PAKN notification to the handling unit's staff accounts and to
/// other staff accounts, whose recipients the filing statement fills in.
pub const KIND_NOTIFY_UNIT: &str = "notify_unit";
pub const KIND_NOTIFY_STAFF: &str = "notify_staff";

/// A mail to insert. A filing's mails carry no subject or body: the worker renders
/// them from the ticket when it sends.
#[derive(Debug, Insertable, Serialize)]
#[diesel(table_name = outbox)]
pub struct NewOutboxRow<'a> {
    pub ticket_id: Option<i64>,
    pub kind: &'a str,
    pub to_addrs: &'a [String],
    pub cc_addrs: &'a [String],
    pub lang: &'a str,
    pub subject: Option<&'a str>,
    pub body_text: Option<&'a str>,
    pub body_html: Option<&'a str>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub thread_refs: Option<String>,
    pub attachment_ids: &'a [i64],
}

/// The columns of [`NewOutboxRow`], in order.
pub const NEW_ROW_COLUMNS: [&str; 12] = [
    "ticket_id",
    "kind",
    "to_addrs",
    "cc_addrs",
    "lang",
    "subject",
    "body_text",
    "body_html",
    "message_id",
    "in_reply_to",
    "thread_refs",
    "attachment_ids",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_list_names_every_field_in_order() {
        let row = NewOutboxRow {
            ticket_id: None,
            kind: "ack",
            to_addrs: &[],
            cc_addrs: &[],
            lang: "vi",
            subject: None,
            body_text: None,
            body_html: None,
            message_id: "pakn.x".into(),
            in_reply_to: None,
            thread_refs: None,
            attachment_ids: &[],
        };
        let json = serde_json::to_value(&row).expect("serializes");
        let keys: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = NEW_ROW_COLUMNS.to_vec();
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
    }
}
