//! What the staff ticket page suggests doing next, from the PAKN's status and who is
//! looking (their actors of the moves table for its unit): the one action shown open and
//! first, or what the PAKN waits for. And which actions end a PAKN's handling here for
//! good (they are set apart and must be confirmed).

use super::status::Status;
use super::workflow::{Action, Actor};

/// The expected next step on a PAKN for one viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NextStep {
    /// This viewer's move: shown first, open, as the primary button.
    Act(Action),
    /// Review and publish the answer (answered with consent, not yet public).
    Publish,
    /// The citizen has been asked for information: nothing to do until they answer.
    WaitForCitizen,
    /// The officer writes the reply (a leader who is not its handler).
    WaitForDraft,
    /// The draft waits for a leader (its officer).
    WaitForApproval,
    /// Nothing is expected (finished, or this viewer does not handle it).
    #[default]
    Nothing,
}

impl NextStep {
    /// The message id of a waiting step's explanation (`None` for the others).
    pub fn waiting_message(self) -> Option<&'static str> {
        match self {
            NextStep::WaitForCitizen => Some("ticket-next-wait-citizen"),
            NextStep::WaitForDraft => Some("ticket-next-wait-draft"),
            NextStep::WaitForApproval => Some("ticket-next-wait-approval"),
            _ => None,
        }
    }
}

/// The next step on a PAKN in `status` for a viewer who is `actors` of its unit (empty:
/// they do not handle it). `publication_due`: answered with consent and no public copy
/// yet. A draft waiting for approval is the leader's to approve even without one shown
/// (a returned draft is then the way out).
pub fn next_step(status: Status, actors: &[Actor], publication_due: bool) -> NextStep {
    let leader = actors.contains(&Actor::Leader);
    let officer = actors.contains(&Actor::Officer);
    if !leader && !officer {
        return NextStep::Nothing;
    }
    match status {
        Status::Submitted => NextStep::Act(Action::Accept),
        Status::Accepted => NextStep::Act(Action::StartWork),
        Status::InProgress if officer => NextStep::Act(Action::SubmitDraft),
        Status::InProgress => NextStep::WaitForDraft,
        Status::PendingApproval if leader => NextStep::Act(Action::Approve),
        Status::PendingApproval => NextStep::WaitForApproval,
        Status::NeedsInfo => NextStep::WaitForCitizen,
        Status::Answered if publication_due => NextStep::Publish,
        Status::Answered
        | Status::Closed
        | Status::Rejected
        | Status::OutOfScope
        | Status::Transferred => NextStep::Nothing,
    }
}

/// Whether `action` ends the PAKN's handling here without an answer on its substance
/// (turned down, out of scope, sent elsewhere, closed as a duplicate, withdrawn): such
/// actions are set apart on the page and must be confirmed.
pub fn is_destructive(action: Action) -> bool {
    matches!(
        action,
        Action::Reject
            | Action::OutOfScope
            | Action::Transfer
            | Action::CloseDuplicate
            | Action::Withdraw
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEADER: &[Actor] = &[Actor::Leader];
    const OFFICER: &[Actor] = &[Actor::Officer];
    const BOTH: &[Actor] = &[Actor::Leader, Actor::Officer];

    #[test]
    fn a_new_pakn_is_to_be_accepted_by_whoever_handles_it() {
        for actors in [LEADER, OFFICER, BOTH] {
            assert_eq!(
                next_step(Status::Submitted, actors, false),
                NextStep::Act(Action::Accept)
            );
            assert_eq!(
                next_step(Status::Accepted, actors, false),
                NextStep::Act(Action::StartWork)
            );
        }
    }

    #[test]
    fn the_officer_drafts_and_the_leader_approves() {
        assert_eq!(
            next_step(Status::InProgress, OFFICER, false),
            NextStep::Act(Action::SubmitDraft)
        );
        assert_eq!(
            next_step(Status::InProgress, BOTH, false),
            NextStep::Act(Action::SubmitDraft)
        );
        assert_eq!(
            next_step(Status::InProgress, LEADER, false),
            NextStep::WaitForDraft
        );
        assert_eq!(
            next_step(Status::PendingApproval, LEADER, false),
            NextStep::Act(Action::Approve)
        );
        assert_eq!(
            next_step(Status::PendingApproval, OFFICER, false),
            NextStep::WaitForApproval
        );
    }

    #[test]
    fn asked_for_information_it_waits_for_the_citizen() {
        for actors in [LEADER, OFFICER] {
            let next = next_step(Status::NeedsInfo, actors, false);
            assert_eq!(next, NextStep::WaitForCitizen);
            assert_eq!(next.waiting_message(), Some("ticket-next-wait-citizen"));
        }
    }

    #[test]
    fn an_answer_with_consent_is_to_be_published_then_nothing_is_expected() {
        assert_eq!(next_step(Status::Answered, LEADER, true), NextStep::Publish);
        assert_eq!(
            next_step(Status::Answered, OFFICER, false),
            NextStep::Nothing
        );
        for s in [
            Status::Closed,
            Status::Rejected,
            Status::OutOfScope,
            Status::Transferred,
        ] {
            assert_eq!(next_step(s, BOTH, true), NextStep::Nothing, "{s:?}");
        }
    }

    #[test]
    fn those_who_do_not_handle_it_are_asked_nothing() {
        for &s in Status::ALL {
            assert_eq!(next_step(s, &[], true), NextStep::Nothing);
        }
        assert_eq!(NextStep::Nothing.waiting_message(), None);
    }

    #[test]
    fn the_suggested_move_is_one_the_table_allows_this_viewer() {
        for &s in Status::ALL {
            for actors in [LEADER, OFFICER, BOTH] {
                if let NextStep::Act(a) = next_step(s, actors, false) {
                    let allowed = actors
                        .iter()
                        .any(|&who| crate::domain::workflow::available(s, who).contains(&a));
                    assert!(allowed, "{s:?} {actors:?} {a:?}");
                    assert!(!is_destructive(a), "a suggestion never ends the PAKN");
                }
            }
        }
    }

    #[test]
    fn what_ends_a_pakn_is_destructive_and_the_rest_is_not() {
        for a in [
            Action::Reject,
            Action::OutOfScope,
            Action::Transfer,
            Action::CloseDuplicate,
            Action::Withdraw,
        ] {
            assert!(is_destructive(a), "{a:?}");
        }
        for a in [
            Action::Accept,
            Action::AskInfo,
            Action::StartWork,
            Action::SubmitDraft,
            Action::ReturnDraft,
            Action::Approve,
            Action::Close,
            Action::Reopen,
        ] {
            assert!(!is_destructive(a), "{a:?}");
        }
    }
}
