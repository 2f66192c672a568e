//! Mail addresses (mailboxes) from configuration and data.

use lettre::message::Mailbox;

/// Parses `Name <addr@host>` or `addr@host`, with a message fit for a config error.
pub fn parse_mailbox(s: &str) -> Result<Mailbox, String> {
    s.parse::<Mailbox>().map_err(|e| {
        format!("{s:?} is not a mail address like \"PAKN <pakn@example.gov.vn>\": {e}")
    })
}
