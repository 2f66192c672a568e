//! Staff roles and what each allows. A user may hold several roles; every check asks
//! whether any of them allows the action.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Leader,
    Officer,
    Inspector,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Leader, Role::Officer, Role::Inspector];

    /// The name stored in `users.roles` and used by `pakn user add --role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Officer => "officer",
            Role::Inspector => "inspector",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The message id of the role's label in `main.ftl`.
    pub fn label_id(self) -> &'static str {
        match self {
            Role::Admin => "role-admin",
            Role::Leader => "role-leader",
            Role::Officer => "role-officer",
            Role::Inspector => "role-inspector",
        }
    }

    /// Roles from their stored names; unknown names are skipped (the table's CHECK
    /// keeps them out anyway).
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

/// What a set of roles allows.
pub trait Roles {
    fn roles(&self) -> &[Role];

    fn has(&self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// Manages users and configuration.
    fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// Reads PAKN content (leaders, officers, inspectors; not admins by that role alone).
    fn can_read_tickets(&self) -> bool {
        self.has(Role::Leader) || self.has(Role::Officer) || self.has(Role::Inspector)
    }

    /// Changes PAKN (leaders and officers; inspectors only read).
    fn can_act(&self) -> bool {
        self.has(Role::Leader) || self.has(Role::Officer)
    }

    /// Sees every unit's PAKN (leaders and inspectors); officers see their unit's.
    fn sees_all_units(&self) -> bool {
        self.has(Role::Leader) || self.has(Role::Inspector)
    }
}

impl Roles for [Role] {
    fn roles(&self) -> &[Role] {
        self
    }
}

impl Roles for Vec<Role> {
    fn roles(&self) -> &[Role] {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn permissions() {
        let admin = vec![Role::Admin];
        assert!(admin.is_admin() && !admin.can_read_tickets() && !admin.can_act());
        let inspector = vec![Role::Inspector];
        assert!(inspector.can_read_tickets() && !inspector.can_act() && inspector.sees_all_units());
        let officer = vec![Role::Officer];
        assert!(officer.can_act() && !officer.sees_all_units() && !officer.is_admin());
        let leader = vec![Role::Leader];
        assert!(leader.can_act() && leader.sees_all_units());
        let both = vec![Role::Admin, Role::Officer];
        assert!(both.is_admin() && both.can_read_tickets());
    }
}
