//! Who among the staff is told of what: the officers and the leaders of a handling unit,
//! picked from the active accounts (loaded once per pass by `db::users::active_staff`,
//! so a reminder pass over many PAKN asks Postgres for the staff once).

use super::access::Role;

/// An active staff account as a mail recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub user_id: i32,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub unit_id: Option<i32>,
}

impl StaffMember {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The officers whose unit is `unit_id`.
pub fn officers_of(staff: &[StaffMember], unit_id: i32) -> Vec<&StaffMember> {
    staff
        .iter()
        .filter(|s| s.has(Role::Officer) && s.unit_id == Some(unit_id))
        .collect()
}

/// The leaders of `unit_id`: those whose account names that unit, or, when it has none,
/// the department's leaders (a leader without a unit: the Director and deputies).
pub fn leaders_of(staff: &[StaffMember], unit_id: i32) -> Vec<&StaffMember> {
    let own: Vec<&StaffMember> = staff
        .iter()
        .filter(|s| s.has(Role::Leader) && s.unit_id == Some(unit_id))
        .collect();
    if !own.is_empty() {
        return own;
    }
    staff
        .iter()
        .filter(|s| s.has(Role::Leader) && s.unit_id.is_none())
        .collect()
}

/// The officers and leaders of `unit_id` (as [`officers_of`] and [`leaders_of`]), each once.
pub fn unit_staff(staff: &[StaffMember], unit_id: i32) -> Vec<&StaffMember> {
    let mut out = officers_of(staff, unit_id);
    for l in leaders_of(staff, unit_id) {
        if !out.iter().any(|o| o.user_id == l.user_id) {
            out.push(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i32, roles: &[Role], unit: Option<i32>) -> StaffMember {
        StaffMember {
            user_id: id,
            email: format!("u{id}@example.vn"),
            name: format!("U{id}"),
            roles: roles.to_vec(),
            unit_id: unit,
        }
    }

    #[test]
    fn officers_and_leaders_of_a_unit() {
        let staff = vec![
            member(1, &[Role::Officer], Some(1)),
            member(2, &[Role::Officer], Some(2)),
            member(3, &[Role::Leader], None),
            member(4, &[Role::Leader, Role::Officer], Some(2)),
            member(5, &[Role::Admin], Some(1)),
        ];
        let ids = |v: Vec<&StaffMember>| v.iter().map(|s| s.user_id).collect::<Vec<_>>();
        assert_eq!(ids(officers_of(&staff, 1)), vec![1]);
        assert_eq!(ids(officers_of(&staff, 2)), vec![2, 4]);
        // Unit 2 has a leader of its own; unit 1 falls back to the department's.
        assert_eq!(ids(leaders_of(&staff, 2)), vec![4]);
        assert_eq!(ids(leaders_of(&staff, 1)), vec![3]);
        assert_eq!(ids(unit_staff(&staff, 2)), vec![2, 4]);
        assert_eq!(ids(unit_staff(&staff, 1)), vec![1, 3]);
        assert!(unit_staff(&staff, 9).iter().all(|s| s.user_id == 3));
    }
}
