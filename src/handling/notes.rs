//! The commands that change no status: assigning a handler, internal and public notes,
//! and marking a PAKN confidential. Each returns what it does as an [`Effect`] (with
//! whether its event is public), recorded by [`super::perform_in`].

use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::moves::{Effect, FileOrigin, unit_recipients};
use super::notice::Notice;
use super::{Context, HandlingError, clean};
use crate::db::workflow::{self as data, LockedTicket};
use crate::domain::attachment::CheckedFile;
use crate::domain::status::Status;
use crate::domain::workflow::{MoveError, Requirement};

/// A note's effect and whether the citizen sees its event.
pub struct NoteEffect {
    pub effect: Effect,
    pub public: bool,
}

pub async fn assign(
    conn: &mut AsyncPgConnection,
    ticket: &LockedTicket,
    from: Status,
    by: i32,
    assignee_id: Option<i32>,
) -> Result<NoteEffect, HandlingError> {
    if let Some(id) = assignee_id
        && !data::is_assignable(conn, id, ticket.unit_id).await?
    {
        return Err(HandlingError::Invalid("handling-err-assignee"));
    }
    if from.is_terminal() {
        return Err(HandlingError::Invalid("handling-err-terminal"));
    }
    let mut effect = Effect::bare(json!({ "assignee_id": assignee_id }));
    effect.change.assignee_id = Some(assignee_id);
    if let Some(id) = assignee_id.filter(|id| *id != by)
        && let Some(to) = data::user_email(conn, id).await?
    {
        effect.notice = Notice::staff(vec![to]);
    }
    Ok(NoteEffect {
        effect,
        public: false,
    })
}

fn note_text(text: &str) -> Result<String, HandlingError> {
    let text = clean(text);
    if text.is_empty() {
        return Err(HandlingError::Invalid("handling-err-note-empty"));
    }
    Ok(text)
}

pub fn internal_note(text: &str) -> Result<NoteEffect, HandlingError> {
    let mut effect = Effect::bare(json!({}));
    effect.body = Some(note_text(text)?);
    Ok(NoteEffect {
        effect,
        public: false,
    })
}

/// A note the citizen reads on the timeline and is mailed.
pub fn progress_note(
    ctx: &Context<'_>,
    from: Status,
    text: &str,
) -> Result<NoteEffect, HandlingError> {
    let text = note_text(text)?;
    if from.is_terminal() {
        return Err(HandlingError::Invalid("handling-err-terminal"));
    }
    let mut effect = Effect::bare(json!({}));
    effect.body = Some(text);
    effect.change.last_public_note_at = Some(ctx.now);
    effect.notice = Notice::citizen();
    Ok(NoteEffect {
        effect,
        public: true,
    })
}

/// The citizen's message (a reply to the PAKN's mail): text or files, on a PAKN that is
/// not finished; the unit is told as it is of an answer to a request.
pub async fn citizen_message(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    from: Status,
    text: &str,
    files: Vec<CheckedFile>,
) -> Result<Effect, HandlingError> {
    if from.is_terminal() {
        return Err(HandlingError::Invalid("handling-err-terminal"));
    }
    let text = clean(text);
    if text.is_empty() && files.is_empty() {
        return Err(HandlingError::Invalid("handling-err-note-empty"));
    }
    let mut effect = Effect::bare(json!({ "via": "email" }));
    effect.body = Some(text).filter(|t| !t.is_empty());
    effect.files = Some((FileOrigin::Citizen, files));
    effect.notice = Notice::staff(unit_recipients(conn, ctx, ticket).await?);
    Ok(effect)
}

/// Marking confidential needs a reason; lifting it does not.
pub fn confidential(on: bool, reason: &str) -> Result<NoteEffect, HandlingError> {
    let reason = clean(reason);
    if on && reason.is_empty() {
        return Err(HandlingError::Refused(MoveError::Missing(
            Requirement::Reason,
        )));
    }
    let mut effect = Effect::bare(json!({ "confidential": on }));
    effect.body = Some(reason).filter(|r| !r.is_empty());
    effect.change.confidential = Some(on);
    Ok(NoteEffect {
        effect,
        public: false,
    })
}
