//! A new PAKN sent by email to the intake address: held as "chờ hoàn thiện" until staff
//! complete what Điều 7 requires and accept it, or mark it as spam. (The holding screen
//! and the acknowledgement land with the intake work; until then such mail waits in the
//! review list.)

use diesel_async::AsyncPgConnection;

use super::HandlingError;
use super::inbound::{Desk, held};
use crate::db::inbound::{Finish, InboundRow};
use crate::domain::inbound::InboundOutcome;
use crate::mail::inbound::parse::ParsedMail;

/// Takes a new PAKN sent by email.
pub async fn receive(
    _conn: &mut AsyncPgConnection,
    _desk: &Desk<'_>,
    _row: &InboundRow,
    _parsed: &ParsedMail,
) -> Result<Finish, HandlingError> {
    Ok(held(InboundOutcome::Intake))
}
