//! The logged-in staff member, as every staff handler receives it (the extractor lives
//! in `web::kit::staff_auth`: it reloads the user on every request, so a deactivated
//! user is out at once). What they may do is asked of [`Access`], the one policy.

use super::session_store::LoadedUser;
use crate::db::users::UserRow;
use crate::domain::access::{Access, Role};
use crate::i18n::Lang;

#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i32,
    pub email: String,
    pub name: String,
    /// Their roles and unit, as the access policy sees them.
    pub access: Access,
    /// The session's anti-forgery token, for the hidden `csrf` field of staff forms.
    pub csrf: String,
    /// The account's language: their pages are in it unless they chose another with the
    /// language switch (see `web::kit::lang`).
    pub lang: Lang,
}

impl StaffUser {
    pub fn from_row(row: UserRow, csrf: String) -> StaffUser {
        let account = LoadedUser {
            id: row.id,
            email: row.email,
            name: row.name,
            roles: row.roles,
            unit_id: row.unit_id,
            lang: row.lang,
        };
        StaffUser::from_loaded(account, csrf)
    }

    /// The staff member of the account the session's load read (or [`StaffUser::from_row`]).
    pub fn from_loaded(u: LoadedUser, csrf: String) -> StaffUser {
        StaffUser {
            access: Access::new(u.id, Role::parse_all(&u.roles), u.unit_id),
            lang: Lang::parse(&u.lang).unwrap_or_default(),
            id: u.id,
            email: u.email,
            name: u.name,
            csrf,
        }
    }
}
