//! A data-subject request about personal data (access, correction, deletion, objection,
//! other; Luật 91/2025/QH15, NĐ 356/2025/NĐ-CP): checked, stored in `privacy_requests`
//! due 2 working days later, and mailed to the active admins and data protection
//! officers in the same transaction, so a request is never stored without its mail nor
//! mailed without being stored.

use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::{Context, HandlingError};
use crate::db::privacy::{self, NewPrivacyRequest};
use crate::domain::calendar::{format_date, local_date};
use crate::domain::feedback::is_plausible_email;
use crate::domain::phone::Phone;
use crate::mail::{self, citizen};

/// Working days within which a request is answered (NĐ 356/2025).
pub const ANSWER_WORKING_DAYS: u32 = 2;
pub const KINDS: [&str; 5] = ["access", "correction", "deletion", "objection", "other"];
pub const NAME_MAX: usize = 200;
pub const CONTACT_MAX: usize = 254;
pub const BODY_MIN: usize = 10;
pub const BODY_MAX: usize = 5000;

/// What the request form holds, as typed.
#[derive(Debug, Clone, Default)]
pub struct RequestValues {
    pub kind: String,
    pub name: String,
    pub contact: String,
    pub body: String,
}

/// A request as stored: the contact normalised (phone digits or lower-case email).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub kind: &'static str,
    pub name: String,
    pub contact: String,
    pub body: String,
}

/// A request received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Its row in `privacy_requests`.
    pub id: i64,
    /// How many mails were queued (none when no admin is active; wake the worker when
    /// any).
    pub mails: usize,
}

/// Checks the form; the errors are (field, message id), in form order.
pub fn validate(v: &RequestValues) -> Result<ValidRequest, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let kind = KINDS.iter().find(|k| **k == v.kind).copied();
    if kind.is_none() {
        errors.push(("kind", "err-choice"));
    }
    let name: String = v.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("name", "err-required"));
    } else if name.chars().count() > NAME_MAX {
        errors.push(("name", "privacy-err-too-long"));
    }
    let contact = contact_of(v.contact.trim(), &mut errors);
    let body = v.body.trim().to_string();
    let n = body.chars().count();
    if n == 0 {
        errors.push(("body", "err-required"));
    } else if n < BODY_MIN {
        errors.push(("body", "privacy-err-too-short"));
    } else if n > BODY_MAX {
        errors.push(("body", "privacy-err-too-long"));
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidRequest {
            kind,
            name,
            contact,
            body,
        }),
        _ => Err(errors),
    }
}

/// The contact normalised: an email in lower case, else a phone number's digits.
fn contact_of(typed: &str, errors: &mut Vec<(&'static str, &'static str)>) -> String {
    if typed.is_empty() {
        errors.push(("contact", "err-required"));
        return String::new();
    }
    if typed.contains('@') {
        let email = typed.to_lowercase();
        if !is_plausible_email(&email) || email.len() > CONTACT_MAX {
            errors.push(("contact", "privacy-err-contact"));
        }
        return email;
    }
    match Phone::parse(typed) {
        Ok(p) => p.as_str().to_string(),
        Err(_) => {
            errors.push(("contact", "privacy-err-contact"));
            String::new()
        }
    }
}

/// Stores the request and queues the admins' mail, in one transaction. With no active
/// admin the request is still stored (and a warning logged): it is listed for the
/// admins to come.
pub async fn receive(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    req: &ValidRequest,
) -> Result<Received, HandlingError> {
    let due_on = ctx
        .reference
        .calendar
        .add_working_days(local_date(ctx.now), ANSWER_WORKING_DAYS);
    let received = conn
        .transaction::<Received, HandlingError, _>(async |conn| {
            let new = NewPrivacyRequest {
                kind: req.kind,
                name: &req.name,
                contact: &req.contact,
                body: &req.body,
                due_on,
            };
            let id = privacy::insert(conn, &new).await?;
            let admins = privacy::admin_emails(conn).await?;
            if admins.is_empty() {
                tracing::warn!(
                    privacy_request = id,
                    due = %format_date(due_on),
                    "privacy request stored, but no active admin to mail"
                );
                return Ok(Received { id, mails: 0 });
            }
            let mail = citizen::privacy_request(
                ctx.cfg,
                admins,
                &citizen::PrivacyRequestMail {
                    id,
                    kind: req.kind,
                    name: &req.name,
                    contact: &req.contact,
                    body: &req.body,
                    received_at: ctx.now,
                    due_on,
                },
            )
            .map_err(|e| HandlingError::Mail(e.into()))?;
            mail::enqueue(conn, mail).await?;
            Ok(Received { id, mails: 1 })
        })
        .await?;
    tracing::info!(privacy_request = received.id, "privacy request received");
    Ok(received)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(kind: &str, name: &str, contact: &str, body: &str) -> RequestValues {
        RequestValues {
            kind: kind.into(),
            name: name.into(),
            contact: contact.into(),
            body: body.into(),
        }
    }

    #[test]
    fn a_valid_request_is_normalised() {
        let ok = validate(&values(
            "deletion",
            "  Nguyễn   Thị Hoà ",
            "+84 983 570 009",
            "Đề nghị xoá dữ liệu của tôi.",
        ))
        .expect("valid");
        assert_eq!(ok.kind, "deletion");
        assert_eq!(ok.name, "Nguyễn Thị Hoà");
        assert_eq!(ok.contact, "0983570009");
        let ok = validate(&values(
            "access",
            "A",
            " Hoa@Example.VN ",
            "Cho tôi xem dữ liệu.",
        ))
        .expect("valid");
        assert_eq!(ok.contact, "hoa@example.vn");
    }

    #[test]
    fn errors_name_their_fields() {
        let errs = validate(&values("delete_all", "", "12345", "ngắn")).expect_err("invalid");
        let fields: Vec<&str> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["kind", "name", "contact", "body"]);
    }
}
