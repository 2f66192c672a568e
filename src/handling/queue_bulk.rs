//! Bulk actions from the staff queue (issue 17, item 8): a leader assigns, or accepts,
//! several PAKN at once. Each PAKN goes through the very same use case as the action on
//! its page ([`super::perform`]: the lock, the moves table, the access check, the event,
//! the counters and the mail), in **its own transaction**: one PAKN that cannot move (it
//! was accepted meanwhile, its handler cannot take it) is reported and the others still
//! move, and no lock is held on the whole selection while mail is queued.

use diesel_async::AsyncPgConnection;

use super::{Classification, Command, Context, HandlingError, Step, Who};
use crate::db::queue::{self as data, BulkTarget};
use crate::domain::access::Access;
use crate::domain::workflow::Urgency;

/// The most PAKN one bulk action takes (two queue pages).
pub const MAX_BULK: usize = 100;

/// What to do with each selected PAKN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    /// Give it to this handler.
    Assign(i32),
    /// Accept it as it was filed (lĩnh vực, kind and unit as they are, normal urgency)
    /// for this handler, or, when none is chosen, the one it already has.
    Accept(Option<i32>),
}

/// The outcome: the codes done, and the codes refused with the message id of why.
#[derive(Debug, Default)]
pub struct BulkReport {
    pub done: Vec<String>,
    pub failed: Vec<(String, String)>,
    /// Mails queued in all (wake the worker when any).
    pub mails: usize,
}

/// Carries `action` out on each PAKN of `codes` for `by`; codes that name no PAKN are
/// reported as not found.
pub async fn perform_bulk(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    by: &Access,
    codes: &[String],
    action: BulkAction,
) -> Result<BulkReport, HandlingError> {
    if !by.acts_in_bulk() {
        return Err(HandlingError::NotAllowed);
    }
    let mut codes: Vec<String> = codes.iter().map(|c| c.trim().to_uppercase()).collect();
    codes.sort();
    codes.dedup();
    codes.truncate(MAX_BULK);
    let targets = data::bulk_targets(conn, &codes).await?;
    let mut report = BulkReport::default();
    for code in codes
        .iter()
        .filter(|c| !targets.iter().any(|t| &t.code == *c))
    {
        report
            .failed
            .push((code.clone(), "queue-bulk-not-found".into()));
    }
    let who = Who::Staff(by.clone());
    for target in &targets {
        let command = command_for(target, action);
        match super::perform(conn, ctx, target.id, &who, command).await {
            Ok(done) => {
                report.mails += done.mails;
                report.done.push(target.code.clone());
            }
            Err(e) => report.failed.push((target.code.clone(), reason_of(&e))),
        }
    }
    Ok(report)
}

/// The single action's command for this PAKN.
fn command_for(target: &BulkTarget, action: BulkAction) -> Command {
    match action {
        BulkAction::Assign(id) => Command::Assign {
            assignee_id: Some(id),
        },
        BulkAction::Accept(handler) => Command::Move(Step::Accept(Classification {
            field_code: target.field_code.clone(),
            kind: target.kind.as_str().to_string(),
            procedure: target.procedure_name.clone().unwrap_or_default(),
            urgency: Urgency::Normal.as_str().to_string(),
            unit_id: Some(target.unit_id),
            assignee_id: handler.or(target.assignee_id),
        })),
    }
}

/// The message id that says why a PAKN was not done; an unexpected error is logged
/// (with no personal data: only the error) and reported as such.
fn reason_of(e: &HandlingError) -> String {
    match e {
        HandlingError::NotAllowed => "queue-bulk-not-allowed".into(),
        other => other.message_id().unwrap_or_else(|| {
            tracing::error!(error = %other, "a bulk queue action failed");
            "queue-bulk-error".into()
        }),
    }
}
