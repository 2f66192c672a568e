//! Admin edits of reference data (units, contacts, lĩnh vực, content categories, routing
//! rules, reason templates, the calendar, the search's synonyms). Each edit runs in one
//! transaction that also writes an `audit_log` row (the row before and after, as JSON)
//! and bumps the reference version, so every instance reloads its cache within seconds ([`edit`]: one module per
//! kind of record says only its own rules and queries). Rows are deactivated, never
//! deleted; calendar days, being exceptions, and synonym groups, which nothing refers
//! to, may be removed.

pub mod calendar;
pub mod categories;
pub mod contacts;
pub mod edit;
pub mod fields;
pub mod reasons;
pub mod reply_templates;
pub mod rules;
pub mod synonyms;
pub mod units;

pub use edit::{Record, action, create, record, update};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{audit_log, users};
use crate::domain::admin::InputError;

/// One refused value of an admin form: the form field, the message id (in `admin.ftl`)
/// and the message's `$value`, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: &'static str,
    pub value: Option<String>,
}

impl Problem {
    pub fn new(field: &'static str, message: &'static str) -> Problem {
        Problem {
            field,
            message,
            value: None,
        }
    }

    pub fn with(field: &'static str, message: &'static str, value: impl Into<String>) -> Problem {
        Problem {
            field,
            message,
            value: Some(value.into()),
        }
    }

    /// A value refused by the checks of [`crate::domain::admin`].
    pub fn input(field: &'static str, e: InputError) -> Problem {
        Problem {
            field,
            message: e.message_id(),
            value: e.limit().map(|n| n.to_string()),
        }
    }
}

/// Collects the problems of a form while its values are parsed.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// The value, or `T::default()` with the problem noted.
    pub fn check<T: Default>(&mut self, field: &'static str, r: Result<T, InputError>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.0.push(Problem::input(field, e));
                T::default()
            }
        }
    }

    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(v)` when nothing was refused.
    pub fn into_result<T>(self, v: T) -> Result<T, Vec<Problem>> {
        if self.0.is_empty() {
            Ok(v)
        } else {
            Err(self.0)
        }
    }
}

/// Why an edit did not happen.
#[derive(Debug)]
pub enum EditError {
    NotFound,
    /// The edit breaks a rule (a code taken, the last default, …): the form comes back.
    Invalid(Vec<Problem>),
    Db(DieselError),
}

impl From<DieselError> for EditError {
    fn from(e: DieselError) -> Self {
        EditError::Db(e)
    }
}

impl EditError {
    pub fn one(field: &'static str, message: &'static str) -> EditError {
        EditError::Invalid(vec![Problem::new(field, message)])
    }
}

pub type EditResult<T> = Result<T, EditError>;

/// A unique violation (a code taken between the check and the insert) as a form problem.
pub fn taken(field: &'static str) -> impl Fn(DieselError) -> EditError {
    move |e| match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            EditError::one(field, "admin-err-taken")
        }
        other => EditError::Db(other),
    }
}

/// One line of the audit log as the admin page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct AuditLine {
    pub at: DateTime<Utc>,
    pub user_name: Option<String>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
}

/// The latest edits, newest first.
pub async fn recent_audit(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<AuditLine>> {
    audit_log::table
        .left_join(users::table.on(users::id.nullable().eq(audit_log::user_id)))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::at,
            users::name.nullable(),
            audit_log::entity,
            audit_log::entity_id,
            audit_log::action,
        ))
        .load(conn)
        .await
}
