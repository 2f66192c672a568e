//! The logged-in staff member, as every staff handler receives it (the extractor lives
//! in `web::staff::extract`: it reloads the user on every request, so a deactivated
//! user is out at once).

use super::role::{Role, Roles};
use crate::db::users::UserRow;

#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub unit_id: Option<i32>,
    /// The session's anti-forgery token, for the hidden `csrf` field of staff forms.
    pub csrf: String,
}

impl StaffUser {
    pub fn from_row(row: UserRow, csrf: String) -> StaffUser {
        StaffUser {
            id: row.id,
            email: row.email,
            name: row.name,
            roles: Role::parse_all(&row.roles),
            unit_id: row.unit_id,
            csrf,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.roles.is_admin()
    }

    pub fn can_read_tickets(&self) -> bool {
        self.roles.can_read_tickets()
    }

    pub fn can_act(&self) -> bool {
        self.roles.can_act()
    }

    pub fn sees_all_units(&self) -> bool {
        self.roles.sees_all_units()
    }

    /// Whether this user may see a PAKN handled by `unit_id`.
    pub fn may_see_unit(&self, unit_id: Option<i32>) -> bool {
        self.sees_all_units()
            || (self.has(Role::Officer) && unit_id.is_some() && unit_id == self.unit_id)
    }
}
