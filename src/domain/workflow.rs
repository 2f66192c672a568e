//! The moves of a PAKN between statuses (domain.md, "Moves"), as data: from which
//! statuses, to which, who may make it, and what it requires. Anything not in
//! [`MOVES`] is refused. Assigning, internal notes and public progress notes change no
//! status and are not moves. Whether an officer belongs to the ticket's unit is checked
//! by the caller (it needs the ticket); here "officer" means "an officer of the unit".
//!
//! The citizen's side is asked of the same table: [`citizen_actions`] lists what the
//! track page offers, with the two rules that are not rows of it ([`may_rate`],
//! [`citizen_may_reopen`]).

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::status::Status;

/// Who makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// An officer of the handling unit (the handler, for starting work).
    Officer,
    Leader,
    Citizen,
    /// The periodic jobs of `pakn serve`.
    System,
}

impl Actor {
    /// Who an event is recorded as.
    pub fn kind(self) -> ActorKind {
        match self {
            Actor::Officer | Actor::Leader => ActorKind::Staff,
            Actor::Citizen => ActorKind::Citizen,
            Actor::System => ActorKind::System,
        }
    }
}

crate::text_code! {
    /// Who an event of the timeline is recorded as.
    pub enum ActorKind {
        Citizen = "citizen",
        Staff = "staff",
        System = "system",
    }
}

crate::text_code! {
    /// How pressing a PAKN is, set when it is accepted (domain.md: a complex one may
    /// have its reply deadline extended).
    pub enum Urgency {
        Urgent = "urgent",
        Normal = "normal",
        Complex = "complex",
    }
}

crate::text_code! {
    /// Where an official reply stands: drafted, waiting for the leader, returned with a
    /// reason, or approved (and then sent).
    pub enum ReplyState {
        Draft = "draft",
        Pending = "pending",
        Returned = "returned",
        Approved = "approved",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Accept,
    AskInfo,
    AnswerInfo,
    ExpireInfo,
    Reject,
    OutOfScope,
    Transfer,
    StartWork,
    SubmitDraft,
    ReturnDraft,
    Approve,
    Withdraw,
    CloseDuplicate,
    Close,
    AutoClose,
    Reopen,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::Accept,
        Action::AskInfo,
        Action::AnswerInfo,
        Action::ExpireInfo,
        Action::Reject,
        Action::OutOfScope,
        Action::Transfer,
        Action::StartWork,
        Action::SubmitDraft,
        Action::ReturnDraft,
        Action::Approve,
        Action::Withdraw,
        Action::CloseDuplicate,
        Action::Close,
        Action::AutoClose,
        Action::Reopen,
    ];

    /// The code used in forms, events and message ids.
    pub fn code(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::AskInfo => "ask_info",
            Action::AnswerInfo => "answer_info",
            Action::ExpireInfo => "expire_info",
            Action::Reject => "reject",
            Action::OutOfScope => "out_of_scope",
            Action::Transfer => "transfer",
            Action::StartWork => "start_work",
            Action::SubmitDraft => "submit_draft",
            Action::ReturnDraft => "return_draft",
            Action::Approve => "approve",
            Action::Withdraw => "withdraw",
            Action::CloseDuplicate => "close_duplicate",
            Action::Close => "close",
            Action::AutoClose => "auto_close",
            Action::Reopen => "reopen",
        }
    }

    pub fn parse(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// What a move needs besides the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// lĩnh vực, type, urgency and the handler.
    Classification,
    /// The question put to the citizen.
    Question,
    /// The citizen's answer: text or files.
    CitizenAnswer,
    /// A reason chosen from the templates (automatic refusal).
    TemplateReason,
    Reason,
    CompetentBody,
    /// Target agency, its reference and the date.
    TransferTarget,
    DraftReply,
    /// Number and symbol, date, signer.
    ReplyDocument,
    DuplicateOf,
}

/// Where a move leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    To(Status),
    /// Back to the status a `needs_info` came from.
    Previous,
}

#[derive(Debug, Clone, Copy)]
pub struct Move {
    pub action: Action,
    pub from: &'static [Status],
    pub to: Target,
    pub actors: &'static [Actor],
    pub requires: &'static [Requirement],
}

use Actor::{Citizen, Leader, Officer, System};
use Requirement as R;
use Status::*;

/// The table of domain.md.
pub const MOVES: &[Move] = &[
    Move {
        action: Action::Accept,
        from: &[Submitted],
        to: Target::To(Accepted),
        actors: &[Officer, Leader],
        requires: &[R::Classification],
    },
    Move {
        action: Action::AskInfo,
        from: &[Submitted, InProgress],
        to: Target::To(NeedsInfo),
        actors: &[Officer, Leader],
        requires: &[R::Question],
    },
    Move {
        action: Action::AnswerInfo,
        from: &[NeedsInfo],
        to: Target::Previous,
        actors: &[Citizen],
        requires: &[R::CitizenAnswer],
    },
    Move {
        action: Action::ExpireInfo,
        from: &[NeedsInfo],
        to: Target::To(Rejected),
        actors: &[System],
        requires: &[R::TemplateReason],
    },
    Move {
        action: Action::Reject,
        from: &[Submitted, Accepted],
        to: Target::To(Rejected),
        actors: &[Officer, Leader],
        requires: &[R::Reason],
    },
    Move {
        action: Action::OutOfScope,
        from: &[Submitted, Accepted],
        to: Target::To(OutOfScope),
        actors: &[Officer, Leader],
        requires: &[R::Reason, R::CompetentBody],
    },
    Move {
        action: Action::Transfer,
        from: &[Submitted, Accepted, InProgress],
        to: Target::To(Transferred),
        actors: &[Officer, Leader],
        requires: &[R::TransferTarget],
    },
    Move {
        action: Action::StartWork,
        from: &[Accepted],
        to: Target::To(InProgress),
        actors: &[Officer, Leader],
        requires: &[],
    },
    Move {
        action: Action::SubmitDraft,
        from: &[InProgress],
        to: Target::To(PendingApproval),
        actors: &[Officer],
        requires: &[R::DraftReply],
    },
    Move {
        action: Action::ReturnDraft,
        from: &[PendingApproval],
        to: Target::To(InProgress),
        actors: &[Leader],
        requires: &[R::Reason],
    },
    Move {
        action: Action::Approve,
        from: &[PendingApproval],
        to: Target::To(Answered),
        actors: &[Leader],
        requires: &[R::ReplyDocument],
    },
    Move {
        action: Action::Withdraw,
        from: &[Submitted, Accepted, InProgress, NeedsInfo],
        to: Target::To(Closed),
        actors: &[Citizen],
        requires: &[R::Reason],
    },
    Move {
        action: Action::CloseDuplicate,
        from: &[Submitted, Accepted],
        to: Target::To(Closed),
        actors: &[Officer, Leader],
        requires: &[R::DuplicateOf],
    },
    Move {
        action: Action::Close,
        from: &[Answered],
        to: Target::To(Closed),
        actors: &[Leader],
        requires: &[],
    },
    Move {
        action: Action::AutoClose,
        from: &[Answered],
        to: Target::To(Closed),
        actors: &[System],
        requires: &[],
    },
    Move {
        action: Action::Reopen,
        from: &[Answered, Closed],
        to: Target::To(InProgress),
        actors: &[Citizen, Leader],
        requires: &[R::Reason],
    },
];

/// Why a move is refused. Each has a message id for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveError {
    /// Not possible from the current status.
    NotFrom {
        action: Action,
        status: Status,
    },
    /// The actor may not make this move.
    NotYours {
        action: Action,
        actor: Actor,
    },
    Missing(Requirement),
    /// `needs_info` without a recorded status to return to.
    NoPrevious,
}

impl MoveError {
    pub fn message_id(self) -> String {
        match self {
            MoveError::NotFrom { .. } => "move-err-not-from".into(),
            MoveError::NotYours { .. } => "move-err-not-yours".into(),
            MoveError::Missing(r) => format!("move-err-missing-{}", requirement_code(r)),
            MoveError::NoPrevious => "move-err-no-previous".into(),
        }
    }
}

pub fn requirement_code(r: Requirement) -> &'static str {
    match r {
        R::Classification => "classification",
        R::Question => "question",
        R::CitizenAnswer => "citizen-answer",
        R::TemplateReason => "template-reason",
        R::Reason => "reason",
        R::CompetentBody => "competent-body",
        R::TransferTarget => "transfer-target",
        R::DraftReply => "draft-reply",
        R::ReplyDocument => "reply-document",
        R::DuplicateOf => "duplicate-of",
    }
}

pub fn move_of(action: Action) -> &'static Move {
    // Every action has exactly one row (checked by a test).
    MOVES
        .iter()
        .find(|m| m.action == action)
        .unwrap_or(&MOVES[0])
}

/// Checks a move and returns the status it leads to. `provided` lists what the request
/// carries; `previous` is the status a `needs_info` came from.
pub fn check(
    action: Action,
    from: Status,
    actor: Actor,
    provided: &[Requirement],
    previous: Option<Status>,
) -> Result<Status, MoveError> {
    let m = move_of(action);
    if !m.from.contains(&from) {
        return Err(MoveError::NotFrom {
            action,
            status: from,
        });
    }
    if !m.actors.contains(&actor) {
        return Err(MoveError::NotYours { action, actor });
    }
    if let Some(missing) = m.requires.iter().find(|r| !provided.contains(r)) {
        return Err(MoveError::Missing(*missing));
    }
    match m.to {
        Target::To(s) => Ok(s),
        Target::Previous => match previous {
            Some(p @ (Submitted | InProgress)) => Ok(p),
            _ => Err(MoveError::NoPrevious),
        },
    }
}

/// The actions an actor could take from a status (for showing buttons).
pub fn available(from: Status, actor: Actor) -> Vec<Action> {
    MOVES
        .iter()
        .filter(|m| m.from.contains(&from) && m.actors.contains(&actor))
        .map(|m| m.action)
        .collect()
}

crate::text_code! {
    /// What the citizen does on the track page: each is a form of its own, posted to
    /// `/t/{access_token}/<code>`, and the code names its form, its refused attempt and
    /// its confirmation (`citizen-done-<code>`).
    pub enum CitizenAction {
        /// Answers a request for information (the `answer_info` move).
        Answer = "answer",
        /// Withdraws the PAKN (the `withdraw` move).
        Withdraw = "withdraw",
        /// Rates the latest answer. Not a move; "not resolved" within the window makes
        /// the `reopen` move ([`citizen_may_reopen`]).
        Rate = "rate",
    }
}

impl CitizenAction {
    /// The move of [`MOVES`] it makes, if it is one.
    pub fn action(self) -> Option<Action> {
        match self {
            CitizenAction::Answer => Some(Action::AnswerInfo),
            CitizenAction::Withdraw => Some(Action::Withdraw),
            CitizenAction::Rate => None,
        }
    }
}

/// Where the rating of a PAKN's latest approved answer stands (one rating per answer: a
/// PAKN reopened and answered again is rated again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingState {
    /// No approved answer.
    NoAnswer,
    Unrated,
    Rated,
}

/// Whether the citizen may rate: the PAKN was answered (`answered`: it has an answer
/// date), it is answered or closed after that, and its latest answer has no rating yet (`rating`).
pub fn may_rate(status: Status, answered: bool, rating: RatingState) -> bool {
    answered && rating == RatingState::Unrated && matches!(status, Answered | Closed)
}

/// Whether "not resolved" still reopens a PAKN answered at `answered_at`: up to and
/// including `window_days` days after the answer (`[deadlines] reopen_window_days`).
/// Staff reopen at any time.
pub fn citizen_may_reopen(
    answered_at: DateTime<Utc>,
    now: DateTime<Utc>,
    window_days: u32,
) -> bool {
    now <= answered_at + TimeDelta::days(i64::from(window_days))
}

/// What the citizen may do from `status`: their moves of [`MOVES`] (as
/// [`available`] gives them), and rating when [`may_rate`] allows it.
pub fn citizen_actions(status: Status, answered: bool, rating: RatingState) -> Vec<CitizenAction> {
    let moves = available(status, Citizen);
    CitizenAction::ALL
        .iter()
        .copied()
        .filter(|a| match a.action() {
            Some(action) => moves.contains(&action),
            None => may_rate(status, answered, rating),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTORS: [Actor; 4] = [Officer, Leader, Citizen, System];

    #[test]
    fn every_action_has_one_row() {
        for a in Action::ALL {
            assert_eq!(MOVES.iter().filter(|m| m.action == a).count(), 1, "{a:?}");
            assert_eq!(Action::parse(a.code()), Some(a));
        }
    }

    #[test]
    fn every_allowed_move_succeeds_with_its_requirements() {
        for m in MOVES {
            for from in m.from {
                for actor in m.actors {
                    let to = check(m.action, *from, *actor, m.requires, Some(InProgress));
                    let expected = match m.to {
                        Target::To(s) => s,
                        Target::Previous => InProgress,
                    };
                    assert_eq!(
                        to,
                        Ok(expected),
                        "{:?} from {from:?} by {actor:?}",
                        m.action
                    );
                }
            }
        }
    }

    #[test]
    fn every_forbidden_status_and_actor_is_refused() {
        let mut refusals = 0;
        for m in MOVES {
            for &from in Status::ALL {
                for actor in ACTORS {
                    let allowed = m.from.contains(&from) && m.actors.contains(&actor);
                    let result = check(m.action, from, actor, m.requires, Some(Submitted));
                    if allowed {
                        assert!(result.is_ok());
                    } else {
                        refusals += 1;
                        assert!(
                            matches!(
                                result,
                                Err(MoveError::NotFrom { .. } | MoveError::NotYours { .. })
                            ),
                            "{:?} from {from:?} by {actor:?} must be refused",
                            m.action
                        );
                    }
                }
            }
        }
        assert!(refusals > 500);
    }

    #[test]
    fn each_missing_requirement_is_named() {
        for m in MOVES {
            for missing in m.requires {
                let provided: Vec<Requirement> = m
                    .requires
                    .iter()
                    .copied()
                    .filter(|r| r != missing)
                    .collect();
                let result = check(m.action, m.from[0], m.actors[0], &provided, Some(Submitted));
                assert_eq!(result, Err(MoveError::Missing(*missing)), "{:?}", m.action);
            }
        }
    }

    #[test]
    fn inspectors_have_no_actor_and_only_leaders_approve() {
        assert_eq!(available(PendingApproval, Officer), vec![]);
        assert_eq!(
            available(PendingApproval, Leader),
            vec![Action::ReturnDraft, Action::Approve]
        );
        assert!(
            check(
                Action::Approve,
                PendingApproval,
                Officer,
                &[R::ReplyDocument],
                None
            )
            .is_err()
        );
    }

    #[test]
    fn answering_returns_to_where_the_request_came_from() {
        let answer = [R::CitizenAnswer];
        assert_eq!(
            check(
                Action::AnswerInfo,
                NeedsInfo,
                Citizen,
                &answer,
                Some(Submitted)
            ),
            Ok(Submitted)
        );
        assert_eq!(
            check(
                Action::AnswerInfo,
                NeedsInfo,
                Citizen,
                &answer,
                Some(InProgress)
            ),
            Ok(InProgress)
        );
        assert_eq!(
            check(Action::AnswerInfo, NeedsInfo, Citizen, &answer, None),
            Err(MoveError::NoPrevious)
        );
    }

    #[test]
    fn terminal_statuses_mostly_stay() {
        for s in [Rejected, OutOfScope, Transferred] {
            for actor in ACTORS {
                assert!(available(s, actor).is_empty(), "{s:?} by {actor:?}");
            }
        }
    }

    #[test]
    fn citizen_actions_follow_the_table() {
        for &s in Status::ALL {
            let offered = citizen_actions(s, false, RatingState::NoAnswer);
            let moves: Vec<Action> = offered.iter().filter_map(|a| a.action()).collect();
            let table: Vec<Action> = available(s, Citizen)
                .into_iter()
                .filter(|a| *a != Action::Reopen)
                .collect();
            assert_eq!(moves, table, "{s:?}");
            assert!(!offered.contains(&CitizenAction::Rate), "{s:?}");
        }
        assert_eq!(
            citizen_actions(NeedsInfo, false, RatingState::NoAnswer),
            vec![CitizenAction::Answer, CitizenAction::Withdraw]
        );
        for s in [Submitted, Accepted, InProgress] {
            assert_eq!(
                citizen_actions(s, false, RatingState::NoAnswer),
                vec![CitizenAction::Withdraw]
            );
        }
        assert_eq!(
            citizen_actions(Answered, true, RatingState::Unrated),
            vec![CitizenAction::Rate]
        );
        assert!(citizen_actions(PendingApproval, true, RatingState::Unrated).is_empty());
        for a in CitizenAction::ALL {
            assert_eq!(CitizenAction::parse(a.as_str()), Some(*a));
        }
        assert_eq!(CitizenAction::parse("reopen"), None);
    }

    #[test]
    fn the_latest_answer_is_rated_once_while_answered_or_closed() {
        for &s in Status::ALL {
            let allowed = matches!(s, Answered | Closed);
            assert_eq!(may_rate(s, true, RatingState::Unrated), allowed, "{s:?}");
            assert!(!may_rate(s, true, RatingState::Rated), "{s:?}");
            assert!(!may_rate(s, true, RatingState::NoAnswer), "{s:?}");
            assert!(!may_rate(s, false, RatingState::Unrated), "{s:?}");
        }
    }

    #[test]
    fn the_citizen_reopens_within_the_window_only() {
        let answered = DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("a time");
        let days = |n: i64| answered + TimeDelta::days(n);
        assert!(citizen_may_reopen(answered, answered, 30));
        assert!(citizen_may_reopen(answered, days(30), 30));
        assert!(!citizen_may_reopen(
            answered,
            days(30) + TimeDelta::seconds(1),
            30
        ));
        assert!(!citizen_may_reopen(answered, days(1), 0));
        assert!(citizen_may_reopen(answered, answered, 0));
    }
}
