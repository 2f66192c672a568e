//! The citizen's rating of an answer (Hài lòng / Bình thường / Không hài lòng, with an
//! optional comment): recorded once per answer (the latest approved reply, so a PAKN
//! reopened and answered again is rated again), counted per unit and lĩnh vực in the
//! sharded counters (as `outcome:rating_*`, next to the on-time and late answers), and,
//! when the citizen says it is not resolved within the reopen window, the PAKN goes back
//! to in_progress and the unit is mailed (the `reopen` move by the citizen).

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use super::{Command, Context, Done, HandlingError, Step, Who, perform_in};
use crate::db::counters;
use crate::db::ratings::{self as ratings_data, NewRating};
use crate::db::workflow::{self as data, EventInsert, LockedTicket};
use crate::domain::calendar::local_date;
use crate::domain::workflow::{ActorKind, RatingState::Unrated, may_rate};

/// A rating as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Satisfied,
    Neutral,
    Unsatisfied,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Satisfied, Rating::Neutral, Rating::Unsatisfied];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::Neutral => "neutral",
            Rating::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The counter "status" that counts it.
    pub fn counter(self) -> String {
        format!("outcome:rating_{}", self.as_str())
    }

    /// The message id of its label.
    pub fn label_id(self) -> String {
        format!("rating-{}", self.as_str())
    }
}

/// What the citizen sends.
#[derive(Debug, Clone)]
pub struct RatingInput {
    pub rating: Rating,
    pub comment: String,
    /// "Không hài lòng — chưa được giải quyết": reopen if still possible.
    pub not_resolved: bool,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rated {
    Recorded {
        reopened: bool,
        mails: usize,
    },
    /// The latest answer already has a rating: nothing changed.
    AlreadyRated,
}

/// Records the rating of an answered PAKN's latest answer, once per answer; reopens the
/// PAKN when asked and allowed.
pub async fn rate(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket_id: i64,
    input: RatingInput,
) -> Result<Rated, HandlingError> {
    conn.transaction::<Rated, HandlingError, _>(async |conn| {
        let ticket = data::lock(conn, ticket_id).await?;
        let answer = ratings_data::latest_answer(conn, ticket.id).await?;
        if answer.as_ref().is_some_and(|a| a.rating.is_some()) {
            return Ok(Rated::AlreadyRated);
        }
        let answer = match answer {
            Some(a) if may_rate(ticket.status, ticket.answered_at.is_some(), Unrated) => a,
            _ => return Err(HandlingError::Invalid("rating-err-not-answered")),
        };
        let comment = crate::domain::fold::clean_text(&input.comment);
        if comment.chars().count() > 2000 {
            return Err(HandlingError::Invalid("handling-err-too-long"));
        }
        if !record(conn, ctx, &ticket, answer.reply_id, &input, &comment).await? {
            return Ok(Rated::AlreadyRated);
        }
        if input.rating == Rating::Unsatisfied && input.not_resolved {
            return reopen(conn, ctx, ticket.id, comment).await;
        }
        Ok(Rated::Recorded {
            reopened: false,
            mails: 0,
        })
    })
    .await
}

/// Stores the rating, counts it and writes its public event; `false` when the answer
/// was rated meanwhile (nothing written).
async fn record(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket: &LockedTicket,
    reply_id: i64,
    input: &RatingInput,
    comment: &str,
) -> Result<bool, HandlingError> {
    let stored = ratings_data::insert(
        conn,
        &NewRating {
            reply_id,
            ticket_id: ticket.id,
            rating: input.rating.as_str(),
            comment: Some(comment).filter(|c| !c.is_empty()),
            unit_id: ticket.unit_id,
            field_code: &ticket.field_code,
            at: ctx.now,
        },
    )
    .await?;
    if !stored {
        return Ok(false);
    }
    let month = counters::month_of(local_date(ticket.received_at));
    counters::add(
        conn,
        ticket.unit_id,
        &ticket.field_code,
        &input.rating.counter(),
        month,
        1,
    )
    .await?;
    super::report_facts::count_rating(conn, ticket, input.rating.as_str(), local_date(ctx.now))
        .await?;
    data::insert_event(
        conn,
        &EventInsert {
            ticket_id: ticket.id,
            at: ctx.now,
            actor_kind: ActorKind::Citizen,
            actor_id: None,
            event: "rating".into(),
            from_status: None,
            to_status: None,
            public: true,
            body: Some(comment.to_string()).filter(|c| !c.is_empty()),
            data: json!({
                "rating": input.rating.as_str(),
                "not_resolved": input.not_resolved,
                "reply_id": reply_id,
            }),
        },
    )
    .await?;
    Ok(true)
}

/// "Not resolved": the citizen's `reopen` move, with their comment as its reason. Past
/// the reopen window the rating still counts and the PAKN stays as it is.
async fn reopen(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    ticket_id: i64,
    comment: String,
) -> Result<Rated, HandlingError> {
    let reason = if comment.is_empty() {
        crate::i18n::Tr::new(crate::i18n::Lang::Vi).t("rating-not-resolved")
    } else {
        comment
    };
    let step = Command::Move(Step::Reopen { reason });
    match perform_in(conn, ctx, ticket_id, &Who::Citizen, step).await {
        Ok(Done { mails, .. }) => Ok(Rated::Recorded {
            reopened: true,
            mails,
        }),
        Err(HandlingError::Invalid("handling-err-reopen-window")) => Ok(Rated::Recorded {
            reopened: false,
            mails: 0,
        }),
        Err(e) => Err(e),
    }
}
