//! Who may see which PAKN: officers their unit's, leaders and inspectors all; admins
//! only configuration unless they also hold a ticket role. A PAKN the user may not see
//! is a 404, never a 403 (its existence is not revealed).

/// The signed-in user as the ticket pages need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i32,
    pub name: String,
    pub roles: Vec<String>,
    pub unit_id: Option<i32>,
}

impl Viewer {
    /// The viewer of a signed-in staff user.
    pub fn of(user: &crate::auth::StaffUser) -> Viewer {
        Viewer {
            user_id: user.id,
            name: user.name.clone(),
            roles: user.roles.iter().map(|r| r.as_str().to_string()).collect(),
            unit_id: user.unit_id,
        }
    }

    pub fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Leaders, officers and inspectors read PAKN; an admin alone does not.
    pub fn can_read_tickets(&self) -> bool {
        self.has("leader") || self.has("officer") || self.has("inspector")
    }

    /// Leaders and officers act on PAKN; inspectors never change anything.
    pub fn can_act(&self) -> bool {
        self.has("leader") || self.has("officer")
    }

    pub fn sees_all_units(&self) -> bool {
        self.has("leader") || self.has("inspector")
    }

    /// The unit a list is limited to: `None` for those who see every unit.
    pub fn scope_unit(&self) -> Option<i32> {
        if self.sees_all_units() {
            None
        } else {
            // An officer without a unit sees nothing (unit 0 does not exist).
            Some(self.unit_id.unwrap_or(0))
        }
    }

    /// Which confidential PAKN this viewer may read (and find by their words): leaders
    /// all, officers their unit's, nobody else any.
    pub fn confidential_reach(&self) -> crate::db::queue::ConfidentialReach {
        use crate::db::queue::ConfidentialReach;
        if self.has("leader") {
            ConfidentialReach::All
        } else if let (true, Some(unit)) = (self.has("officer"), self.unit_id) {
            ConfidentialReach::Unit(unit)
        } else {
            ConfidentialReach::None
        }
    }

    /// Whether this viewer may read a confidential PAKN of `ticket_unit`.
    pub fn reads_confidential(&self, ticket_unit: i32) -> bool {
        self.has("leader") || (self.has("officer") && self.unit_id == Some(ticket_unit))
    }

    pub fn may_see(&self, ticket_unit: i32) -> bool {
        self.can_read_tickets() && (self.sees_all_units() || self.unit_id == Some(ticket_unit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(roles: &[&str], unit: Option<i32>) -> Viewer {
        Viewer {
            user_id: 1,
            name: "x".into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            unit_id: unit,
        }
    }

    #[test]
    fn who_sees_what() {
        let officer = viewer(&["officer"], Some(2));
        assert!(officer.may_see(2) && !officer.may_see(3));
        assert_eq!(officer.scope_unit(), Some(2));
        let leader = viewer(&["leader"], None);
        assert!(leader.may_see(3) && leader.can_act());
        let inspector = viewer(&["inspector"], None);
        assert!(inspector.may_see(3) && !inspector.can_act());
        let admin = viewer(&["admin"], None);
        assert!(!admin.can_read_tickets() && !admin.may_see(1));
        let admin_officer = viewer(&["admin", "officer"], Some(1));
        assert!(admin_officer.may_see(1) && !admin_officer.may_see(2));
    }
}
