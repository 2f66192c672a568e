//! The working-day calendar's exceptions: holidays, compensatory and swapped days off,
//! make-up working days, each `official` (announced) or `expected` (derived before the
//! yearly notice). Being exceptions to the plain week, days may be removed.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Record, record, taken};
use crate::db::schema::calendar_days as cd;
use crate::domain::calendar::DayKind;
use crate::domain::calendar_coverage as coverage;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = cd)]
pub struct DayRow {
    pub day: NaiveDate,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub note: Option<String>,
}

/// A checked day form (`day` is used only when creating).
#[derive(Debug, Clone)]
pub struct DayInput {
    pub day: NaiveDate,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub note: Option<String>,
}

/// The exceptions of one year, in date order.
pub async fn year(conn: &mut AsyncPgConnection, year: i32) -> QueryResult<Vec<DayRow>> {
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(Vec::new());
    };
    cd::table
        .filter(cd::day.between(from, to))
        .order(cd::day)
        .select(DayRow::as_select())
        .load(conn)
        .await
}

impl Record for DayRow {
    const ENTITY: &'static str = "calendar_day";
    type Key = NaiveDate;
    type Input = DayInput;

    async fn find(conn: &mut AsyncPgConnection, day: &NaiveDate) -> QueryResult<Option<DayRow>> {
        cd::table
            .find(*day)
            .select(DayRow::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, day: &NaiveDate) -> QueryResult<Option<DayRow>> {
        cd::table
            .find(*day)
            .select(DayRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        _by: i32,
        input: &DayInput,
    ) -> EditResult<NaiveDate> {
        if Self::find(conn, &input.day).await?.is_some() {
            return Err(EditError::one("day", "admin-day-taken"));
        }
        diesel::insert_into(cd::table)
            .values((
                cd::day.eq(input.day),
                cd::kind.eq(&input.kind),
                cd::name.eq(&input.name),
                cd::status.eq(&input.status),
                cd::note.eq(&input.note),
            ))
            .execute(conn)
            .await
            .map_err(taken("day"))?;
        Ok(input.day)
    }

    async fn change(
        conn: &mut AsyncPgConnection,
        _by: i32,
        day: &NaiveDate,
        _before: &DayRow,
        input: &DayInput,
    ) -> EditResult<()> {
        diesel::update(cd::table.find(*day))
            .set((
                cd::kind.eq(&input.kind),
                cd::name.eq(&input.name),
                cd::status.eq(&input.status),
                cd::note.eq(&input.note),
                cd::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }

    /// A day has no active mark: every change is an update.
    fn action(_before: &DayRow, _input: &DayInput) -> &'static str {
        "update"
    }
}

/// Removes a day (audited as `delete`).
pub async fn delete(conn: &mut AsyncPgConnection, by: i32, day: NaiveDate) -> EditResult<()> {
    conn.transaction::<(), EditError, _>(async |conn| {
        let before = DayRow::lock(conn, &day).await?.ok_or(EditError::NotFound)?;
        diesel::delete(cd::table.find(day)).execute(conn).await?;
        record::<_, DayRow>(
            conn,
            by,
            DayRow::ENTITY,
            day.to_string(),
            "delete",
            Some(&before),
            None,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Adds several days at once (a proposal confirmed in one step): all or none, each
/// audited as `create`. A day already there fails the whole with `admin-day-taken`.
pub async fn create_many(
    conn: &mut AsyncPgConnection,
    by: i32,
    days: &[DayInput],
) -> EditResult<usize> {
    conn.transaction::<usize, EditError, _>(async |conn| {
        for input in days {
            let key = DayRow::insert(conn, by, input).await?;
            let after = DayRow::find(conn, &key).await?;
            record::<DayRow, DayRow>(
                conn,
                by,
                DayRow::ENTITY,
                key.to_string(),
                "create",
                None,
                after.as_ref(),
            )
            .await?;
        }
        Ok(days.len())
    })
    .await
}

/// The days of `from..=to`, in date order (what the coverage check reads).
pub async fn between(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<DayRow>> {
    cd::table
        .filter(cd::day.between(from, to))
        .order(cd::day)
        .select(DayRow::as_select())
        .load(conn)
        .await
}

/// What the calendar lacks for the year from `today` (see
/// [`crate::domain::calendar_coverage`]); a day of an unknown kind is left out.
pub async fn gaps(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
) -> QueryResult<Vec<coverage::Gap>> {
    let until = today + chrono::Duration::days(coverage::HORIZON_DAYS + 15);
    let from = today - chrono::Duration::days(15);
    let entries: Vec<coverage::Entry> = between(conn, from, until)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(coverage::Entry {
                day: r.day,
                kind: DayKind::parse(&r.kind)?,
                expected: r.status == "expected",
                name: r.name,
            })
        })
        .collect();
    Ok(coverage::gaps(&entries, today))
}
