//! Data-subject requests handled by admins and data protection officers: assigning a
//! request, answering it (mailed through the outbox when the contact is an email; to
//! be given by phone otherwise), and the tools an answer needs on the requester's PAKN
//! (those filed with the request's phone or email): the export of their data, the
//! correction of their contact details, and erasure (the retention job's
//! anonymisation), refused while any of them is still being handled.
//!
//! Each is one transaction with its `audit_log` row; an export records every PAKN it
//! holds in `personal_data_views` with the purpose `export`.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use super::privacy_export::{self, PersonData};
use crate::config::Config;
use crate::db::audit::{self, AuditEntry};
use crate::db::personal_data::{self as person, Contact, Person, PersonTicket};
use crate::db::privacy::{self as requests, RequestRow};
use crate::db::retention::{self, ENDED};
use crate::db::tickets::record_personal_data_views;
use crate::domain::access::Access;
use crate::domain::calendar::format_datetime;
use crate::domain::feedback::is_plausible_email;
use crate::domain::fold::fold;
use crate::domain::phone::Phone;
use crate::domain::status::Status;
use crate::mail;

/// The longest answer (characters).
pub const ANSWER_MAX: usize = 10_000;
/// The longest corrected name or address (characters).
pub const FIELD_MAX: usize = 300;

/// Why an action on a request was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    #[error("no such request or PAKN")]
    NotFound,
    /// Not an admin nor a data protection officer.
    #[error("not allowed")]
    NotAllowed,
    /// A value that cannot be used (a message id; the field when a form has several).
    #[error("invalid: {1}")]
    Invalid(&'static str, &'static str),
    /// The request was answered already.
    #[error("already handled")]
    Handled,
    /// Erasure refused: these PAKN (code, status) are still being handled.
    #[error("still being handled: {0:?}")]
    StillHandled(Vec<(String, Status)>),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

fn allowed(who: &Access) -> Result<(), PrivacyError> {
    if who.handles_privacy_requests() {
        Ok(())
    } else {
        Err(PrivacyError::NotAllowed)
    }
}

fn snapshot(row: &RequestRow) -> Option<serde_json::Value> {
    serde_json::to_value(row).ok()
}

async fn locked(conn: &mut AsyncPgConnection, id: i64) -> Result<RequestRow, PrivacyError> {
    requests::lock(conn, id)
        .await?
        .ok_or(PrivacyError::NotFound)
}

/// Assigns request `id` to `assignee` (an active admin or data protection officer).
pub async fn assign(
    conn: &mut AsyncPgConnection,
    who: &Access,
    id: i64,
    assignee: i32,
    now: DateTime<Utc>,
) -> Result<(), PrivacyError> {
    allowed(who)?;
    conn.transaction::<(), PrivacyError, _>(async |conn| {
        let before = locked(conn, id).await?;
        let handlers = requests::handlers(conn).await?;
        if !handlers.iter().any(|(uid, _)| *uid == assignee) {
            return Err(PrivacyError::Invalid("assignee", "privacy-err-assignee"));
        }
        requests::set_assignee(conn, id, assignee, now).await?;
        let after = RequestRow {
            assigned_to: Some(assignee),
            assigned_at: Some(now),
            ..before.clone()
        };
        audit::record(
            conn,
            AuditEntry {
                user_id: who.user_id,
                entity: "privacy_request",
                entity_id: id.to_string(),
                action: "assign",
                before: snapshot(&before),
                after: snapshot(&after),
            },
        )
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(privacy_request = id, "privacy request assigned");
    Ok(())
}

/// What an answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    /// The answer was mailed (the contact is an email); otherwise it is to be given by
    /// phone.
    pub mailed: bool,
}

/// Answers request `id` with `text`: recorded as handled by `who`, and mailed to the
/// requester when their contact is an email.
pub async fn answer(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    who: &Access,
    id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Answered, PrivacyError> {
    allowed(who)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(PrivacyError::Invalid("answer", "err-required"));
    }
    if text.chars().count() > ANSWER_MAX {
        return Err(PrivacyError::Invalid("answer", "privacy-err-answer-long"));
    }
    let answered = conn
        .transaction::<Answered, PrivacyError, _>(async |conn| {
            let before = locked(conn, id).await?;
            if before.handled_at.is_some() {
                return Err(PrivacyError::Handled);
            }
            requests::set_answered(conn, id, text, who.user_id, now).await?;
            let mailed = matches!(Person::of_contact(&before.contact), Person::Email(_));
            if mailed {
                let mail = mail::privacy_answer::privacy_answer(cfg, &before.contact, id, text)
                    .map_err(|e| PrivacyError::Internal(e.into()))?;
                mail::enqueue(conn, mail).await?;
            }
            let after = RequestRow {
                answer: Some(text.to_string()),
                handled_at: Some(now),
                handled_by: Some(who.user_id),
                ..before.clone()
            };
            audit::record(
                conn,
                AuditEntry {
                    user_id: who.user_id,
                    entity: "privacy_request",
                    entity_id: id.to_string(),
                    action: "answer",
                    before: snapshot(&before),
                    after: snapshot(&after),
                },
            )
            .await?;
            Ok(Answered { mailed })
        })
        .await?;
    tracing::info!(
        privacy_request = id,
        mailed = answered.mailed,
        "privacy request answered"
    );
    Ok(answered)
}

/// An export: the ZIP's name and bytes, and how many PAKN it holds.
pub struct Export {
    pub filename: String,
    pub bytes: Vec<u8>,
    pub tickets: usize,
}

/// Exports the data of request `id`'s person: loads it, records every PAKN in
/// `personal_data_views` (purpose `export`) and audits it, in one transaction; then
/// builds the ZIP.
pub async fn export(
    conn: &mut AsyncPgConnection,
    who: &Access,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Export, PrivacyError> {
    allowed(who)?;
    let data = conn
        .transaction::<PersonData, PrivacyError, _>(async |conn| {
            let request = locked(conn, id).await?;
            let tickets = person::tickets_of(conn, &Person::of_contact(&request.contact)).await?;
            let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
            let messages = person::messages_of(conn, &ids).await?;
            let replies = person::replies_of(conn, &ids).await?;
            let ratings = person::ratings_of(conn, &ids).await?;
            let files = person::files_of(conn, &ids).await?;
            record_personal_data_views(conn, who.user_id, &ids, "export").await?;
            let codes: Vec<&str> = tickets.iter().map(|t| t.code.as_str()).collect();
            audit::record(
                conn,
                AuditEntry {
                    user_id: who.user_id,
                    entity: "privacy_request",
                    entity_id: id.to_string(),
                    action: "export",
                    before: None,
                    after: Some(json!({ "codes": codes, "files": files.len() })),
                },
            )
            .await?;
            Ok(PersonData {
                request_id: id,
                contact: request.contact,
                tickets,
                messages,
                replies,
                ratings,
                files,
            })
        })
        .await?;
    let bytes = privacy_export::zip(&data, &format_datetime(now))
        .map_err(|e| PrivacyError::Internal(e.context("building the export ZIP")))?;
    tracing::info!(
        privacy_request = id,
        tickets = data.tickets.len(),
        "personal data exported"
    );
    Ok(Export {
        filename: format!("du-lieu-ca-nhan-yeu-cau-{id}.zip"),
        bytes,
        tickets: data.tickets.len(),
    })
}

/// Contact details as typed on the correction form.
#[derive(Debug, Clone, Default)]
pub struct CorrectionValues {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

/// Checks a correction; the error names the field.
pub fn validate(v: &CorrectionValues) -> Result<Contact, PrivacyError> {
    let name = v.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > FIELD_MAX {
        return Err(PrivacyError::Invalid("name", "privacy-err-name"));
    }
    let email = v.email.trim().to_lowercase();
    let email = if email.is_empty() {
        None
    } else if is_plausible_email(&email) {
        Some(email)
    } else {
        return Err(PrivacyError::Invalid("email", "privacy-err-email"));
    };
    let phone = Phone::parse(v.phone.trim())
        .map_err(|_| PrivacyError::Invalid("phone", "privacy-err-phone"))?
        .as_str()
        .to_string();
    let address = v.address.trim().to_string();
    if address.is_empty() || address.chars().count() > FIELD_MAX {
        return Err(PrivacyError::Invalid("address", "privacy-err-address"));
    }
    Ok(Contact {
        name,
        email,
        phone,
        address,
    })
}

fn contact_of(t: &PersonTicket) -> Contact {
    let individual = t.submitter_kind == "individual";
    Contact {
        name: if individual {
            t.full_name.clone()
        } else {
            t.representative.clone()
        }
        .unwrap_or_default(),
        email: t.email.clone(),
        phone: t.phone.clone(),
        address: t.address.clone(),
    }
}

/// Corrects the contact details of PAKN `code`, which must be one of request `id`'s
/// person's and not anonymised; audited with the details before and after.
pub async fn correct(
    conn: &mut AsyncPgConnection,
    who: &Access,
    id: i64,
    code: &str,
    values: &CorrectionValues,
) -> Result<(), PrivacyError> {
    allowed(who)?;
    let new = validate(values)?;
    conn.transaction::<(), PrivacyError, _>(async |conn| {
        let request = locked(conn, id).await?;
        let mine = person::tickets_of(conn, &Person::of_contact(&request.contact)).await?;
        let Some(ticket_id) = mine.iter().find(|t| t.code == code).map(|t| t.id) else {
            return Err(PrivacyError::NotFound);
        };
        let (ticket, agency, procedure) = person::lock_contact(conn, ticket_id)
            .await?
            .ok_or(PrivacyError::NotFound)?;
        if ticket.anonymized_at.is_some() {
            return Err(PrivacyError::NotFound);
        }
        let before = contact_of(&ticket);
        let individual = ticket.submitter_kind == "individual";
        let (full_name, representative) = if individual {
            (Some(new.name.clone()), ticket.representative.clone())
        } else {
            (ticket.full_name.clone(), Some(new.name.clone()))
        };
        let parts = [
            full_name,
            ticket.organization.clone(),
            representative,
            Some(ticket.title.clone()),
            Some(ticket.content.clone()),
            ticket.proposal.clone(),
            agency,
            procedure,
        ];
        let joined: Vec<String> = parts.into_iter().flatten().collect();
        let search = fold(&joined.join(" "));
        person::set_contact(conn, ticket_id, individual, &new, &search).await?;
        audit::record(
            conn,
            AuditEntry {
                user_id: who.user_id,
                entity: "ticket",
                entity_id: ticket.code.clone(),
                action: "privacy_correct",
                before: Some(json!({ "request": id, "contact": before })),
                after: Some(json!({ "request": id, "contact": new })),
            },
        )
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(privacy_request = id, "personal data corrected");
    Ok(())
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    pub codes: Vec<String>,
    pub files: usize,
}

/// Erases the data of request `id`'s person: anonymises every PAKN filed with their
/// phone or email, as the retention job does; refused (nothing changed) while any of
/// them is still being handled (not ended).
pub async fn erase(
    conn: &mut AsyncPgConnection,
    who: &Access,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Erased, PrivacyError> {
    allowed(who)?;
    let erased = conn
        .transaction::<Erased, PrivacyError, _>(async |conn| {
            let request = locked(conn, id).await?;
            let mine = person::tickets_of(conn, &Person::of_contact(&request.contact)).await?;
            let mine: Vec<PersonTicket> = mine
                .into_iter()
                .filter(|t| t.anonymized_at.is_none())
                .collect();
            let open: Vec<(String, Status)> = mine
                .iter()
                .filter_map(|t| Status::parse(&t.status).map(|s| (t.code.clone(), s)))
                .filter(|(_, s)| !ENDED.contains(s))
                .collect();
            if !open.is_empty() {
                return Err(PrivacyError::StillHandled(open));
            }
            let ids: Vec<i64> = mine.iter().map(|t| t.id).collect();
            let codes: Vec<String> = mine.into_iter().map(|t| t.code).collect();
            let removed = retention::anonymise(conn, &ids, now).await?;
            audit::record(
                conn,
                AuditEntry {
                    user_id: who.user_id,
                    entity: "privacy_request",
                    entity_id: id.to_string(),
                    action: "erase",
                    before: None,
                    after: Some(json!({ "codes": codes, "files": removed.files })),
                },
            )
            .await?;
            Ok(Erased {
                codes,
                files: removed.files,
            })
        })
        .await?;
    tracing::info!(
        privacy_request = id,
        tickets = erased.codes.len(),
        "personal data erased"
    );
    Ok(erased)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &str, email: &str, phone: &str, address: &str) -> CorrectionValues {
        CorrectionValues {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            address: address.into(),
        }
    }

    #[test]
    fn a_correction_is_normalised_and_checked() {
        let ok = validate(&values(
            " Trần  Văn Bình ",
            " Binh@Example.VN ",
            "0912 345 678",
            "5 Lê Lợi",
        ))
        .expect("valid");
        assert_eq!(ok.name, "Trần Văn Bình");
        assert_eq!(ok.email.as_deref(), Some("binh@example.vn"));
        assert_eq!(ok.phone, "0912345678");
        let no_email = validate(&values("A", "", "0912345678", "x")).expect("valid");
        assert_eq!(no_email.email, None);
        for (v, field) in [
            (values("", "", "0912345678", "x"), "name"),
            (values("A", "not-an-email", "0912345678", "x"), "email"),
            (values("A", "", "12", "x"), "phone"),
            (values("A", "", "0912345678", " "), "address"),
        ] {
            match validate(&v) {
                Err(PrivacyError::Invalid(f, _)) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
