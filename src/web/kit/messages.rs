//! The words of a refused form field or file, in the user's language: the filing form,
//! staff entry, the ticket page's actions and the citizen's answer all say them alike.

use crate::domain::attachment::FileRefusal;
use crate::domain::feedback::FieldError;
use crate::i18n::Tr;

/// Words one field error in the user's language.
pub fn field_message(t: &Tr, e: FieldError) -> String {
    match e.count() {
        Some(n) => t.t1(e.message_id(), "count", n as i64),
        None => t.t(e.message_id()),
    }
}

/// Words one refused file in the user's language.
pub fn file_message(
    t: &Tr,
    filename: &str,
    reason: FileRefusal,
    max_mb: usize,
    max_files: usize,
) -> String {
    let detail = match reason {
        FileRefusal::TooLarge => t.t1(reason.message_id(), "mb", max_mb as i64),
        FileRefusal::TooMany => t.t1(reason.message_id(), "count", max_files as i64),
        _ => t.t(reason.message_id()),
    };
    if filename.is_empty() {
        detail
    } else {
        format!("{filename}: {detail}")
    }
}
