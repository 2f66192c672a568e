//! The report aggregates kept true by every change (issue 18, item 6): what a move, a
//! rating or a publication adds to `report_counts`, each in ONE statement of the
//! change's transaction ([`crate::db::reports::add`]); the filing adds its own in its one
//! statement. The rules are those `pakn_report_truth` (migration 000047) recomputes.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;

use super::{Context, HandlingError};
use crate::db::overview::OUTCOME_ON_TIME;
use crate::db::reports::{self, Coords, Delta};
use crate::db::tickets::TicketRow;
use crate::db::workflow::{LockedTicket, TicketChange};
use crate::domain::calendar::local_date;
use crate::domain::reminders::publication_due;
use crate::domain::report::{self, INFO_REQUESTED, PUBLISHED, PUBLISHED_ON_TIME, RECEIVED};
use crate::domain::status::Status;
use crate::domain::workflow::Action;

/// A move as the reports count it.
pub struct MoveFact {
    pub action: Action,
    pub to: Status,
    /// The outcome of a first answer (`outcome:on_time` or `outcome:late`).
    pub outcome: Option<&'static str>,
}

/// Where `ticket` is counted before a change.
pub fn coords_of(ticket: &LockedTicket) -> Coords {
    Coords {
        unit_id: ticket.unit_id,
        field_code: ticket.field_code.clone(),
        content_category: ticket.content_category.clone(),
        channel: ticket.channel.as_str().to_string(),
        kind: ticket.kind.as_str().to_string(),
    }
}

/// Where it is counted after `change` (an acceptance may set the unit, lĩnh vực and kind).
fn coords_after(ticket: &LockedTicket, change: &TicketChange) -> Coords {
    let mut c = coords_of(ticket);
    if let Some(unit) = change.unit_id {
        c.unit_id = unit;
    }
    if let Some(field) = &change.field_code {
        c.field_code = field.clone();
    }
    if let Some(kind) = change.kind {
        c.kind = kind.as_str().to_string();
    }
    c
}

/// Counts a move: its facts, the first answer's outcome and working days, and, when an
/// acceptance reclassifies the PAKN, what was counted before it moved along (its receipt
/// and its requests for information, read from the timeline only then).
pub async fn count_move(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    change: &TicketChange,
    fact: MoveFact,
) -> Result<(), HandlingError> {
    let before = coords_of(ticket);
    let after = coords_after(ticket, change);
    let received = local_date(ticket.received_at);
    let today = local_date(ctx.now);
    let mut deltas: Vec<Delta> = Vec::new();
    for metric in report::move_metrics(fact.action, fact.to) {
        deltas.extend(Delta::both(&after, received, today, metric, 1));
    }
    if let Some(outcome) = fact.outcome {
        let days = ctx.reference.calendar.working_days_between(received, today);
        for metric in report::answer_metrics(outcome == OUTCOME_ON_TIME, days) {
            deltas.extend(Delta::both(&after, received, today, &metric, 1));
        }
    }
    if before != after {
        let asked = reports::ask_info_days(conn, ticket.id).await?;
        deltas.extend(moved(&before, &after, received, &asked));
    }
    reports::add(conn, &deltas).await?;
    Ok(())
}

/// What a reclassified PAKN had counted: taken from `before`, added to `after`.
fn moved(before: &Coords, after: &Coords, received: NaiveDate, asked: &[NaiveDate]) -> Vec<Delta> {
    let mut out = Vec::new();
    for (coords, n) in [(before, -1), (after, 1)] {
        out.extend(Delta::both(coords, received, received, RECEIVED, n));
        for day in asked {
            out.extend(Delta::both(coords, received, *day, INFO_REQUESTED, n));
        }
    }
    out
}

/// Counts a citizen's rating of `ticket` on `today`.
pub async fn count_rating(
    conn: &mut AsyncPgConnection,
    ticket: &LockedTicket,
    rating: &str,
    today: NaiveDate,
) -> Result<(), HandlingError> {
    let received = local_date(ticket.received_at);
    let metric = report::rating_metric(rating);
    let deltas = Delta::both(&coords_of(ticket), received, today, &metric, 1);
    reports::add(conn, &deltas).await?;
    Ok(())
}

/// Counts the first publication of `t`'s answer (given at `answered`) on the day of
/// `ctx.now`, and whether it came within `[deadlines] publish_working_days`.
pub async fn count_publication(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    t: &TicketRow,
    answered: Option<DateTime<Utc>>,
) -> diesel::QueryResult<bool> {
    let today = local_date(ctx.now);
    let answered = local_date(answered.unwrap_or(ctx.now));
    let days = ctx.cfg.deadlines.publish_working_days;
    let on_time = today <= publication_due(&ctx.reference.calendar, answered, days);
    let coords = Coords {
        unit_id: t.unit_id,
        field_code: t.field_code.clone(),
        content_category: t.content_category.clone(),
        channel: t.channel.as_str().to_string(),
        kind: t.kind.as_str().to_string(),
    };
    let received = local_date(t.received_at);
    let mut deltas = Delta::both(&coords, received, today, PUBLISHED, 1).to_vec();
    if on_time {
        deltas.extend(Delta::both(&coords, received, today, PUBLISHED_ON_TIME, 1));
    }
    reports::add(conn, &deltas).await?;
    Ok(on_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coords(unit_id: i32) -> Coords {
        Coords {
            unit_id,
            field_code: "khac".into(),
            content_category: "khac".into(),
            channel: "web".into(),
            kind: "phan_anh".into(),
        }
    }

    #[test]
    fn a_reclassification_moves_receipt_and_requests() {
        let r = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let asked = [NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()];
        let out = moved(&coords(1), &coords(2), r, &asked);
        assert_eq!(out.len(), 8);
        let net = |unit: i32| {
            out.iter()
                .filter(|d| d.coords.unit_id == unit)
                .map(|d| d.n)
                .sum::<i64>()
        };
        assert_eq!(net(1), -4);
        assert_eq!(net(2), 4);
        assert!(
            out.iter()
                .any(|d| d.metric == INFO_REQUESTED && d.day == asked[0])
        );
    }
}
