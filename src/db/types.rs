//! The text-coded enums of `domain` (status, kind, channel, urgency, actor kind, reply
//! state…) as `Text` columns: written as their code, read back through `Code::parse`.
//! A code the enum does not know is an error naming the column's type and the code,
//! never a silent default (the CHECK constraints keep such codes out).

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use std::io::Write;

use crate::domain::code::Code;
use crate::domain::digest::DigestKind;
use crate::domain::feedback::{Channel, FeedbackKind, SubmitterKind};
use crate::domain::inbound::{InboundOutcome, InboundSource, InboundState};
use crate::domain::intake::IntakeState;
use crate::domain::reminders::{Deadline, ReminderKind};
use crate::domain::status::Status;
use crate::domain::workflow::{ActorKind, ReplyState, Urgency};

fn read<T: Code>(value: PgValue<'_>, what: &str) -> deserialize::Result<T> {
    let text = std::str::from_utf8(value.as_bytes())?;
    T::parse(text).ok_or_else(|| format!("unknown {what} code {text:?}").into())
}

fn write<T: Code>(value: T, out: &mut Output<'_, '_, Pg>) -> serialize::Result {
    out.write_all(value.as_str().as_bytes())?;
    Ok(IsNull::No)
}

macro_rules! text_column {
    ($($ty:ty => $what:literal),+ $(,)?) => {$(
        impl FromSql<Text, Pg> for $ty {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                read(value, $what)
            }
        }

        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                write(*self, out)
            }
        }
    )+};
}

text_column! {
    Status => "status",
    FeedbackKind => "kind",
    SubmitterKind => "submitter kind",
    Channel => "channel",
    Urgency => "urgency",
    ActorKind => "actor kind",
    ReplyState => "reply state",
    DigestKind => "digest kind",
    Deadline => "reminder deadline",
    ReminderKind => "reminder kind",
    InboundSource => "inbound source",
    InboundState => "inbound state",
    InboundOutcome => "inbound outcome",
    IntakeState => "intake state",
}
