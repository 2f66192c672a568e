//! Who may do what with which PAKN: the one access policy that staff pages, handling and
//! the data layer's scoped queries all ask. A user may hold several roles; every check
//! asks whether any of them allows it.
//!
//! - Officers (chuyên viên) read and act on their unit's PAKN.
//! - Leaders (lãnh đạo) read and act on every unit's PAKN, confidential ones included.
//! - Inspectors (the public-service inspection team) read every unit's PAKN and change
//!   nothing; they never read a confidential one's content.
//! - Admins manage users and reference data and, by that role alone, read no PAKN.
//! - Data protection officers (cán bộ bảo vệ dữ liệu cá nhân) handle data-subject
//!   requests (with admins) and, by that role alone, read no PAKN in the queue.
//!
//! A PAKN the user may not read is a 404 for them, never a 403 (its existence is not
//! revealed); one they may read but not act on answers 403 to an action.

use std::fmt;

use crate::domain::workflow::{self, Action, Actor};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Leader,
    Officer,
    Inspector,
    Privacy,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Leader,
        Role::Officer,
        Role::Inspector,
        Role::Privacy,
    ];

    /// The name stored in `users.roles` and used by `pakn user add --role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Officer => "officer",
            Role::Inspector => "inspector",
            Role::Privacy => "privacy",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Whether the role reads PAKN or their senders' personal data (the data protection
    /// officer exports anyone's): giving it to an admin (or an admin to themself) needs a
    /// second admin (separation of duties).
    pub fn reads_pakn(self) -> bool {
        match self {
            Role::Admin => false,
            Role::Leader | Role::Officer | Role::Inspector | Role::Privacy => true,
        }
    }

    /// The message id of the role's label.
    pub fn label_id(self) -> &'static str {
        match self {
            Role::Admin => "role-admin",
            Role::Leader => "role-leader",
            Role::Officer => "role-officer",
            Role::Inspector => "role-inspector",
            Role::Privacy => "role-privacy",
        }
    }

    /// Roles from their stored names, sorted, without repeats; unknown names are skipped
    /// (the table's CHECK keeps them out anyway).
    pub fn parse_all<S: AsRef<str>>(names: &[S]) -> Vec<Role> {
        let mut roles: Vec<Role> = names
            .iter()
            .filter_map(|n| Role::parse(n.as_ref()))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which confidential PAKN someone may find by their words and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfidentialReach {
    /// Leaders: all of them.
    All,
    /// Officers: their unit's.
    Unit(i32),
    /// Inspectors, admins: none.
    #[default]
    None,
}

/// A staff member as the policy sees them: who, with which roles, in which unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub user_id: i32,
    pub roles: Vec<Role>,
    pub unit_id: Option<i32>,
}

impl Access {
    pub fn new(user_id: i32, roles: Vec<Role>, unit_id: Option<i32>) -> Access {
        Access {
            user_id,
            roles,
            unit_id,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    fn officer_of(&self, unit_id: i32) -> bool {
        self.has(Role::Officer) && self.unit_id == Some(unit_id)
    }

    /// Manages users and reference data.
    pub fn administers(&self) -> bool {
        self.has(Role::Admin)
    }

    /// Reads the personal-data log (who was shown whose personal data): admins, who
    /// answer for the system, and inspectors, who check the service.
    pub fn reads_personal_data_log(&self) -> bool {
        self.has(Role::Admin) || self.has(Role::Inspector)
    }

    /// Handles data-subject requests (admins and data protection officers): lists and
    /// answers them, exports, corrects and erases one person's data.
    pub fn handles_privacy_requests(&self) -> bool {
        self.has(Role::Admin) || self.has(Role::Privacy)
    }

    /// Reads PAKN at all (leaders, officers, inspectors; not admins by that role alone).
    pub fn reads_tickets(&self) -> bool {
        self.has(Role::Leader) || self.has(Role::Officer) || self.has(Role::Inspector)
    }

    /// Acts on PAKN at all (leaders and officers; inspectors only read): enters PAKN
    /// received off-line, for one.
    pub fn acts(&self) -> bool {
        self.has(Role::Leader) || self.has(Role::Officer)
    }

    /// Completes and accepts, or marks as spam, PAKN sent by email that wait to be
    /// completed: those who enter PAKN received off-line ([`Access::acts`]).
    pub fn takes_intake(&self) -> bool {
        self.acts()
    }

    /// Reviews inbound mail held or failed (try again, discard): admins and leaders.
    pub fn reviews_inbound(&self) -> bool {
        self.has(Role::Admin) || self.has(Role::Leader)
    }

    /// Reads a held inbound message and attaches it to a PAKN: leaders only (an admin
    /// keeps the queue moving without reading citizens' mail, as with PAKN).
    pub fn reads_inbound(&self) -> bool {
        self.has(Role::Leader)
    }

    /// Reads the periodic reports (issue 18): whoever reads PAKN, each within
    /// [`Access::scope_unit`] (leaders and inspectors every unit, an officer their unit).
    pub fn reads_reports(&self) -> bool {
        self.reads_tickets()
    }

    /// Reads every unit's PAKN (leaders and inspectors); officers read their unit's.
    pub fn sees_all_units(&self) -> bool {
        self.has(Role::Leader) || self.has(Role::Inspector)
    }

    /// The unit lists and counts are limited to: `None` for those who see every unit.
    /// An officer without a unit sees nothing (unit 0 does not exist).
    pub fn scope_unit(&self) -> Option<i32> {
        if self.sees_all_units() {
            None
        } else {
            Some(self.unit_id.unwrap_or(0))
        }
    }

    /// Whether this person may read a PAKN handled by `unit_id` (that it exists, its
    /// status and deadlines; a confidential one's content needs
    /// [`Access::reads_confidential`] too).
    pub fn may_read(&self, unit_id: i32) -> bool {
        self.reads_tickets() && (self.sees_all_units() || self.unit_id == Some(unit_id))
    }

    /// Whether this person may read a confidential PAKN of `unit_id`: leaders and its
    /// unit's officers (a tố cáo's sender is what must be protected).
    pub fn reads_confidential(&self, unit_id: i32) -> bool {
        self.has(Role::Leader) || self.officer_of(unit_id)
    }

    /// Whether this person may read what a PAKN says and who sent it.
    pub fn reads_content(&self, unit_id: i32, confidential: bool) -> bool {
        self.may_read(unit_id) && (!confidential || self.reads_confidential(unit_id))
    }

    /// Which confidential PAKN a word search of this person may find.
    pub fn confidential_reach(&self) -> ConfidentialReach {
        if self.has(Role::Leader) {
            ConfidentialReach::All
        } else if let (true, Some(unit)) = (self.has(Role::Officer), self.unit_id) {
            ConfidentialReach::Unit(unit)
        } else {
            ConfidentialReach::None
        }
    }

    /// Whether this person handles PAKN of `unit_id` at all: leaders every unit's,
    /// officers their unit's; inspectors and admins never.
    pub fn may_act_on(&self, unit_id: i32) -> bool {
        self.has(Role::Leader) || self.officer_of(unit_id)
    }

    /// Whether a queue export of this person carries the senders' phone, email and
    /// address: those who handle PAKN (leaders, officers), who call and write to
    /// senders. Inspectors read them one PAKN at a time on its page, but a file of
    /// every sender's contacts is more than checking the service needs.
    pub fn exports_contacts(&self) -> bool {
        self.has(Role::Leader) || self.has(Role::Officer)
    }

    /// Whether this person assigns and accepts many PAKN at once from the queue: leaders,
    /// whose work it is to share out the units' work (each PAKN is still checked as
    /// if acted on alone, with [`Access::may_act_on`] and the moves table).
    pub fn acts_in_bulk(&self) -> bool {
        self.has(Role::Leader)
    }

    /// Whether this person reviews and publishes the public copy of an answered PAKN of
    /// `unit_id`: those who handle it.
    pub fn may_publish(&self, unit_id: i32) -> bool {
        self.may_act_on(unit_id)
    }

    /// The actors of the moves table this person can be for a PAKN of `unit_id`.
    pub fn actors(&self, unit_id: i32) -> Vec<Actor> {
        let mut out = Vec::new();
        if self.has(Role::Leader) {
            out.push(Actor::Leader);
        }
        if self.officer_of(unit_id) {
            out.push(Actor::Officer);
        }
        out
    }

    /// The actor this person is for `action` on a PAKN of `unit_id`: the first of theirs
    /// the moves table allows, else their first (so that the refusal names the move).
    pub fn actor_for(&self, unit_id: i32, action: Action) -> Option<Actor> {
        let mine = self.actors(unit_id);
        let allowed = workflow::move_of(action).actors;
        mine.iter()
            .copied()
            .find(|a| allowed.contains(a))
            .or_else(|| mine.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(roles: &[Role], unit: Option<i32>) -> Access {
        Access::new(1, roles.to_vec(), unit)
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(
            Role::parse_all(&["officer", "admin", "officer", "x"]),
            vec![Role::Admin, Role::Officer]
        );
    }

    #[test]
    fn who_reads_what() {
        let officer = access(&[Role::Officer], Some(2));
        assert!(officer.may_read(2) && !officer.may_read(3));
        assert_eq!(officer.scope_unit(), Some(2));
        let leader = access(&[Role::Leader], None);
        assert!(leader.may_read(3) && leader.acts());
        assert_eq!(leader.scope_unit(), None);
        let inspector = access(&[Role::Inspector], None);
        assert!(inspector.may_read(3) && !inspector.acts() && !inspector.may_act_on(3));
        let admin = access(&[Role::Admin], None);
        assert!(admin.administers() && !admin.reads_tickets() && !admin.may_read(1));
        assert!(admin.handles_privacy_requests());
        let dpo = access(&[Role::Privacy], None);
        assert!(dpo.handles_privacy_requests() && !dpo.reads_tickets() && !dpo.administers());
        assert!(!dpo.may_read(1) && !dpo.acts());
        assert!(!officer.handles_privacy_requests() && !inspector.handles_privacy_requests());
        let admin_officer = access(&[Role::Admin, Role::Officer], Some(1));
        assert!(admin_officer.may_read(1) && !admin_officer.may_read(2));
        let unitless = access(&[Role::Officer], None);
        assert_eq!(unitless.scope_unit(), Some(0));
        assert!(!unitless.may_read(1));
    }

    #[test]
    fn confidential_pakn_are_read_by_leaders_and_their_unit_only() {
        let officer = access(&[Role::Officer], Some(2));
        assert!(officer.reads_content(2, true) && !officer.reads_content(3, true));
        assert_eq!(officer.confidential_reach(), ConfidentialReach::Unit(2));
        let inspector = access(&[Role::Inspector], None);
        assert!(inspector.may_read(2) && !inspector.reads_content(2, true));
        assert!(inspector.reads_content(2, false));
        assert_eq!(inspector.confidential_reach(), ConfidentialReach::None);
        let leader = access(&[Role::Leader], None);
        assert!(leader.reads_content(9, true));
        assert_eq!(leader.confidential_reach(), ConfidentialReach::All);
    }

    #[test]
    fn an_officer_of_another_unit_is_no_actor() {
        let officer = access(&[Role::Officer], Some(2));
        assert_eq!(officer.actors(2), vec![Actor::Officer]);
        assert!(officer.actors(3).is_empty());
        assert!(!officer.may_act_on(3) && !officer.may_publish(3));
        let leader_officer = access(&[Role::Leader, Role::Officer], Some(2));
        assert_eq!(
            leader_officer.actors(2),
            vec![Actor::Leader, Actor::Officer]
        );
        // Approving is a leader's move; drafting an officer's.
        assert_eq!(
            leader_officer.actor_for(2, Action::Approve),
            Some(Actor::Leader)
        );
        assert_eq!(
            leader_officer.actor_for(2, Action::SubmitDraft),
            Some(Actor::Officer)
        );
        assert_eq!(officer.actor_for(3, Action::Accept), None);
    }
}
