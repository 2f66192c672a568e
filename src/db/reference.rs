//! Reference data in Postgres: the snapshot every instance caches, and the version
//! number every admin edit bumps so that all instances reload.

use anyhow::Context;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{
    calendar_days, contacts, content_categories, fields, reason_templates, reference_state,
    routing_rule_contacts, routing_rules, search_synonyms, units,
};
use crate::domain::calendar::{DayKind, WorkCalendar};
use crate::domain::reference::{Category, Contact, Field, ReasonTemplate, Reference, Rule, Unit};
use crate::domain::routing::RuleSpec;
use crate::domain::synonyms::Synonyms;

pub async fn current_version(conn: &mut AsyncPgConnection) -> anyhow::Result<i64> {
    reference_state::table
        .select(reference_state::version)
        .first(conn)
        .await
        .context("reading the reference version")
}

/// Bumps the version so that every instance reloads; call inside the edit's transaction.
pub async fn bump_version(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::update(reference_state::table)
        .set(reference_state::version.eq(reference_state::version + 1))
        .execute(conn)
        .await
}

/// Loads the whole snapshot (at start and after an edit bumped the version).
pub async fn load_reference(conn: &mut AsyncPgConnection) -> anyhow::Result<Reference> {
    let version = current_version(conn).await?;
    let units = units::table
        .order((units::sort, units::id))
        .select((
            units::id,
            units::code,
            units::name_vi,
            units::name_en,
            units::email,
            units::is_default,
            units::active,
        ))
        .load::<(i32, String, String, String, Option<String>, bool, bool)>(conn)
        .await
        .context("loading units")?
        .into_iter()
        .map(
            |(id, code, name_vi, name_en, email, is_default, active)| Unit {
                id,
                code,
                name_vi,
                name_en,
                email,
                is_default,
                active,
            },
        )
        .collect();
    type ContactRow = (
        i32,
        String,
        String,
        Option<String>,
        String,
        String,
        Vec<String>,
        Option<String>,
        bool,
        bool,
        Option<i32>,
    );
    let contacts = contacts::table
        .order((contacts::sort, contacts::id))
        .select((
            contacts::id,
            contacts::code,
            contacts::kind,
            contacts::person_name,
            contacts::title_vi,
            contacts::title_en,
            contacts::phones,
            contacts::email,
            contacts::needs_verification,
            contacts::active,
            contacts::user_id,
        ))
        .load::<ContactRow>(conn)
        .await
        .context("loading contacts")?
        .into_iter()
        .map(
            |(
                id,
                code,
                kind,
                person_name,
                title_vi,
                title_en,
                phones,
                email,
                nv,
                active,
                user_id,
            )| {
                Contact {
                    id,
                    code,
                    kind,
                    person_name,
                    title_vi,
                    title_en,
                    phones,
                    email,
                    needs_verification: nv,
                    active,
                    user_id,
                }
            },
        )
        .collect();
    let fields = fields::table
        .order((fields::sort, fields::code))
        .select((
            fields::code,
            fields::name_vi,
            fields::name_en,
            fields::active,
        ))
        .load::<(String, String, String, bool)>(conn)
        .await
        .context("loading lĩnh vực")?
        .into_iter()
        .map(|(code, name_vi, name_en, active)| Field {
            code,
            name_vi,
            name_en,
            active,
        })
        .collect();
    let categories = content_categories::table
        .order((content_categories::sort, content_categories::code))
        .select((
            content_categories::code,
            content_categories::name_vi,
            content_categories::name_en,
            content_categories::implies_kien_nghi,
            content_categories::active,
        ))
        .load::<(String, String, String, bool, bool)>(conn)
        .await
        .context("loading content categories")?
        .into_iter()
        .map(
            |(code, name_vi, name_en, implies_kien_nghi, active)| Category {
                code,
                name_vi,
                name_en,
                implies_kien_nghi,
                active,
            },
        )
        .collect();
    let rule_rows = routing_rules::table
        .filter(routing_rules::active)
        .order((routing_rules::position, routing_rules::id))
        .select((
            routing_rules::id,
            routing_rules::name,
            routing_rules::match_categories,
            routing_rules::match_fields,
            routing_rules::unit_id,
            routing_rules::is_default,
        ))
        .load::<(i32, String, Vec<String>, Vec<String>, i32, bool)>(conn)
        .await
        .context("loading routing rules")?;
    let recipients = routing_rule_contacts::table
        .select((
            routing_rule_contacts::rule_id,
            routing_rule_contacts::contact_id,
            routing_rule_contacts::recipient,
        ))
        .order((
            routing_rule_contacts::rule_id,
            routing_rule_contacts::contact_id,
        ))
        .load::<(i32, i32, String)>(conn)
        .await
        .context("loading routing recipients")?;
    let rules = rule_rows
        .into_iter()
        .map(|(id, name, categories, fields, unit_id, is_default)| {
            let of = |kind: &str| {
                recipients
                    .iter()
                    .filter(|(r, _, k)| *r == id && k == kind)
                    .map(|(_, c, _)| *c)
                    .collect()
            };
            Rule {
                id,
                name,
                spec: RuleSpec {
                    categories,
                    fields,
                    is_default,
                },
                unit_id,
                to: of("to"),
                cc: of("cc"),
            }
        })
        .collect();
    let reasons = reason_templates::table
        .order((reason_templates::sort, reason_templates::id))
        .select((
            reason_templates::id,
            reason_templates::code,
            reason_templates::purpose,
            reason_templates::text_vi,
            reason_templates::text_en,
            reason_templates::active,
        ))
        .load::<(i32, String, String, String, String, bool)>(conn)
        .await
        .context("loading reason templates")?
        .into_iter()
        .map(
            |(id, code, purpose, text_vi, text_en, active)| ReasonTemplate {
                id,
                code,
                purpose,
                text_vi,
                text_en,
                active,
            },
        )
        .collect();
    let days = calendar_days::table
        .select((calendar_days::day, calendar_days::kind))
        .load::<(chrono::NaiveDate, String)>(conn)
        .await
        .context("loading the calendar")?;
    let calendar = WorkCalendar::new(
        days.into_iter()
            .filter_map(|(d, k)| DayKind::parse(&k).map(|k| (d, k))),
    );
    let synonyms = search_synonyms::table
        .order(search_synonyms::id)
        .select(search_synonyms::terms)
        .load::<Vec<String>>(conn)
        .await
        .context("loading the search synonyms")?;
    Ok(Reference {
        version,
        units,
        contacts,
        fields,
        categories,
        rules,
        reasons,
        calendar,
        synonyms: Synonyms::new(synonyms),
    })
}
