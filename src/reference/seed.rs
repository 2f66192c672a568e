//! The reference seed embedded at build time (`reference.toml` and the calendar copied
//! from the shared seed), applied on the first start and again only when its version
//! rises. Existing rows are left alone unless `--overwrite` is given: after the first
//! start the database is the source of truth that admins edit.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;

use crate::db::schema::{
    calendar_days, contacts, content_categories, fields, reason_templates, reference_state,
    routing_rule_contacts, routing_rules, units,
};

const EMBEDDED_REFERENCE: &str = include_str!("reference.toml");
const EMBEDDED_CALENDAR: &str = include_str!("calendar-vn-2025-2027.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub version: i32,
    #[serde(rename = "unit")]
    pub units: Vec<SeedUnit>,
    #[serde(rename = "contact")]
    pub contacts: Vec<SeedContact>,
    #[serde(rename = "field")]
    pub fields: Vec<SeedNamed>,
    #[serde(rename = "category")]
    pub categories: Vec<SeedCategory>,
    #[serde(rename = "rule")]
    pub rules: Vec<SeedRule>,
    #[serde(rename = "reason", default)]
    pub reasons: Vec<SeedReason>,
    #[serde(skip)]
    pub calendar: Vec<SeedDay>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUnit {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub sort: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedContact {
    pub code: String,
    pub kind: String,
    #[serde(default)]
    pub person_name: Option<String>,
    pub title_vi: String,
    pub title_en: String,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default = "yes")]
    pub needs_verification: bool,
    #[serde(default)]
    pub sort: i32,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedNamed {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub keywords: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCategory {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub implies_kien_nghi: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRule {
    pub name: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub default: bool,
    pub unit: String,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedReason {
    pub code: String,
    pub purpose: String,
    pub text_vi: String,
    pub text_en: String,
}

#[derive(Debug, Deserialize)]
pub struct SeedDay {
    pub date: NaiveDate,
    pub kind: String,
    pub name: String,
    #[serde(default = "official")]
    pub status: String,
    #[serde(default)]
    pub note: Option<String>,
}

fn official() -> String {
    "official".into()
}

#[derive(Debug, Deserialize)]
struct CalendarFile {
    day: Vec<SeedDay>,
}

impl Seed {
    /// The embedded seed, or the file named by `[seed] reference_file`.
    pub fn load(cfg: &crate::config::Config) -> anyhow::Result<Seed> {
        let text = match &cfg.seed.reference_file {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("seed.reference_file: reading {}", path.display()))?,
            None => EMBEDDED_REFERENCE.to_string(),
        };
        Self::parse(&text, EMBEDDED_CALENDAR)
    }

    pub fn parse(reference: &str, calendar: &str) -> anyhow::Result<Seed> {
        let mut seed: Seed = toml::from_str(reference).context("parsing the reference seed")?;
        let cal: CalendarFile = toml::from_str(calendar).context("parsing the calendar seed")?;
        seed.calendar = cal.day;
        seed.check()?;
        Ok(seed)
    }

    fn check(&self) -> anyhow::Result<()> {
        let unit_codes: Vec<&str> = self.units.iter().map(|u| u.code.as_str()).collect();
        let contact_codes: Vec<&str> = self.contacts.iter().map(|c| c.code.as_str()).collect();
        if self.units.iter().filter(|u| u.is_default).count() != 1 {
            bail!("the reference seed must mark exactly one unit is_default");
        }
        for c in &self.contacts {
            if !matches!(c.kind.as_str(), "receiving" | "hotline") {
                bail!("contact {}: kind must be receiving or hotline", c.code);
            }
        }
        for r in &self.rules {
            if !unit_codes.contains(&r.unit.as_str()) {
                bail!("rule {:?}: unknown unit {}", r.name, r.unit);
            }
            for c in r.to.iter().chain(&r.cc) {
                if !contact_codes.contains(&c.as_str()) {
                    bail!("rule {:?}: unknown contact {c}", r.name);
                }
            }
            for f in &r.fields {
                if !self.fields.iter().any(|x| &x.code == f) {
                    bail!("rule {:?}: unknown lĩnh vực {f}", r.name);
                }
            }
            for c in &r.categories {
                if !self.categories.iter().any(|x| &x.code == c) {
                    bail!("rule {:?}: unknown content category {c}", r.name);
                }
            }
        }
        for d in &self.calendar {
            if crate::domain::calendar::DayKind::parse(&d.kind).is_none() {
                bail!("calendar {}: unknown kind {}", d.date, d.kind);
            }
        }
        Ok(())
    }
}

/// Applies the seed. Without `overwrite` it does nothing when the database already has
/// this seed version (or a later one) and never changes existing rows; with `overwrite`
/// it rewrites the seeded rows from the file. Either way the cache version is bumped when
/// anything was applied. Returns whether it applied.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    seed: &Seed,
    overwrite: bool,
) -> anyhow::Result<bool> {
    conn.transaction::<bool, anyhow::Error, _>(async |conn| {
        let applied: i32 = reference_state::table
            .select(reference_state::seed_version)
            .for_update()
            .first(conn)
            .await
            .context("reading the seed version")?;
        if !overwrite && applied >= seed.version {
            return Ok(false);
        }
        apply_rows(conn, seed, overwrite).await?;
        diesel::update(reference_state::table)
            .set((
                reference_state::seed_version.eq(seed.version.max(applied)),
                reference_state::version.eq(reference_state::version + 1),
            ))
            .execute(conn)
            .await
            .context("recording the seed version")?;
        tracing::info!(
            version = seed.version,
            overwrite,
            "applied the reference seed"
        );
        Ok(true)
    })
    .await
}

async fn apply_rows(
    conn: &mut AsyncPgConnection,
    seed: &Seed,
    overwrite: bool,
) -> anyhow::Result<()> {
    for u in &seed.units {
        let row = (
            units::code.eq(&u.code),
            units::name_vi.eq(&u.name_vi),
            units::name_en.eq(&u.name_en),
            units::email.eq(&u.email),
            units::sort.eq(u.sort),
        );
        let insert = diesel::insert_into(units::table).values(row);
        if overwrite {
            insert
                .on_conflict(units::code)
                .do_update()
                .set((row, units::updated_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await
        } else {
            insert.on_conflict_do_nothing().execute(conn).await
        }
        .with_context(|| format!("seeding unit {}", u.code))?;
    }
    // The default unit: set only when none is marked (admins may have moved it).
    if let Some(def) = seed.units.iter().find(|u| u.is_default) {
        let has_default: i64 = units::table
            .filter(units::is_default)
            .count()
            .get_result(conn)
            .await?;
        if has_default == 0 || overwrite {
            diesel::update(units::table)
                .set(units::is_default.eq(false))
                .filter(units::is_default)
                .execute(conn)
                .await?;
            diesel::update(units::table.filter(units::code.eq(&def.code)))
                .set(units::is_default.eq(true))
                .execute(conn)
                .await?;
        }
    }
    for c in &seed.contacts {
        let phones: Vec<String> = c
            .phones
            .iter()
            .map(|p| {
                crate::domain::phone::Phone::parse(p)
                    .map(|p| p.as_str().to_string())
                    .map_err(|_| anyhow::anyhow!("contact {}: invalid phone {p}", c.code))
            })
            .collect::<anyhow::Result<_>>()?;
        let row = (
            contacts::code.eq(&c.code),
            contacts::kind.eq(&c.kind),
            contacts::person_name.eq(&c.person_name),
            contacts::title_vi.eq(&c.title_vi),
            contacts::title_en.eq(&c.title_en),
            contacts::phones.eq(&phones),
            contacts::email.eq(&c.email),
            contacts::needs_verification.eq(c.needs_verification),
            contacts::sort.eq(c.sort),
        );
        let insert = diesel::insert_into(contacts::table).values(row);
        if overwrite {
            insert
                .on_conflict(contacts::code)
                .do_update()
                .set((row, contacts::updated_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await
        } else {
            insert.on_conflict_do_nothing().execute(conn).await
        }
        .with_context(|| format!("seeding contact {}", c.code))?;
    }
    for (i, f) in seed.fields.iter().enumerate() {
        let row = (
            fields::code.eq(&f.code),
            fields::name_vi.eq(&f.name_vi),
            fields::name_en.eq(&f.name_en),
            fields::keywords.eq(&f.keywords),
            fields::sort.eq(i as i32 + 1),
        );
        let insert = diesel::insert_into(fields::table).values(row);
        if overwrite {
            insert
                .on_conflict(fields::code)
                .do_update()
                .set((row, fields::updated_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await
        } else {
            insert.on_conflict_do_nothing().execute(conn).await
        }
        .with_context(|| format!("seeding lĩnh vực {}", f.code))?;
    }
    for (i, c) in seed.categories.iter().enumerate() {
        let row = (
            content_categories::code.eq(&c.code),
            content_categories::name_vi.eq(&c.name_vi),
            content_categories::name_en.eq(&c.name_en),
            content_categories::implies_kien_nghi.eq(c.implies_kien_nghi),
            content_categories::sort.eq(i as i32 + 1),
        );
        let insert = diesel::insert_into(content_categories::table).values(row);
        if overwrite {
            insert
                .on_conflict(content_categories::code)
                .do_update()
                .set((row, content_categories::updated_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await
        } else {
            insert.on_conflict_do_nothing().execute(conn).await
        }
        .with_context(|| format!("seeding content category {}", c.code))?;
    }
    for (i, r) in seed.reasons.iter().enumerate() {
        let row = (
            reason_templates::code.eq(&r.code),
            reason_templates::purpose.eq(&r.purpose),
            reason_templates::text_vi.eq(&r.text_vi),
            reason_templates::text_en.eq(&r.text_en),
            reason_templates::sort.eq(i as i32 + 1),
        );
        let insert = diesel::insert_into(reason_templates::table).values(row);
        if overwrite {
            insert
                .on_conflict(reason_templates::code)
                .do_update()
                .set((row, reason_templates::updated_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await
        } else {
            insert.on_conflict_do_nothing().execute(conn).await
        }
        .with_context(|| format!("seeding reason template {}", r.code))?;
    }
    for d in &seed.calendar {
        let row = (
            calendar_days::day.eq(d.date),
            calendar_days::kind.eq(&d.kind),
            calendar_days::name.eq(&d.name),
            calendar_days::status.eq(&d.status),
            calendar_days::note.eq(&d.note),
        );
        let insert = diesel::insert_into(calendar_days::table).values(row);
        if overwrite {
            insert
                .on_conflict(calendar_days::day)
                .do_update()
                .set((row, calendar_days::updated_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await
        } else {
            insert.on_conflict_do_nothing().execute(conn).await
        }
        .with_context(|| format!("seeding calendar day {}", d.date))?;
    }
    // Routing rules have no natural key: they are seeded only into an empty table, or
    // replaced as a whole with --overwrite.
    let existing: i64 = routing_rules::table.count().get_result(conn).await?;
    if existing > 0 && !overwrite {
        return Ok(());
    }
    if overwrite {
        diesel::update(routing_rules::table)
            .set(routing_rules::active.eq(false))
            .execute(conn)
            .await?;
    }
    for (i, r) in seed.rules.iter().enumerate() {
        let unit_id: i32 = units::table
            .filter(units::code.eq(&r.unit))
            .select(units::id)
            .first(conn)
            .await
            .with_context(|| format!("rule {:?}: unit {}", r.name, r.unit))?;
        let rule_id: i32 = crate::db::durable::one(
            diesel::insert_into(routing_rules::table)
                .values((
                    routing_rules::position.eq((i as i32 + 1) * 10),
                    routing_rules::name.eq(&r.name),
                    routing_rules::match_categories.eq(&r.categories),
                    routing_rules::match_fields.eq(&r.fields),
                    routing_rules::unit_id.eq(unit_id),
                    routing_rules::is_default.eq(r.default),
                ))
                .returning(routing_rules::id),
            conn,
        )
        .await
        .with_context(|| format!("seeding rule {:?}", r.name))?;
        for (codes, recipient) in [(&r.to, "to"), (&r.cc, "cc")] {
            for code in codes {
                let contact_id: i32 = contacts::table
                    .filter(contacts::code.eq(code))
                    .select(contacts::id)
                    .first(conn)
                    .await
                    .with_context(|| format!("rule {:?}: contact {code}", r.name))?;
                diesel::insert_into(routing_rule_contacts::table)
                    .values((
                        routing_rule_contacts::rule_id.eq(rule_id),
                        routing_rule_contacts::contact_id.eq(contact_id),
                        routing_rule_contacts::recipient.eq(recipient),
                    ))
                    .execute(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_seed_parses_and_is_consistent() {
        let seed = Seed::parse(EMBEDDED_REFERENCE, EMBEDDED_CALENDAR).expect("seed parses");
        assert_eq!(seed.units.len(), 4);
        assert_eq!(seed.fields.len(), 14);
        assert_eq!(seed.categories.len(), 6);
        assert!(
            seed.calendar
                .iter()
                .any(|d| d.date.to_string() == "2026-02-16")
        );
        let codes: Vec<&str> = seed.contacts.iter().map(|c| c.code.as_str()).collect();
        for code in [
            "pho_giam_doc",
            "phong_tong_hop_ubnd",
            "to_kiem_tra_cong_vu",
            "giam_doc",
            "chanh_van_phong",
            "thanh_tra_so",
        ] {
            assert!(codes.contains(&code), "{code} seeded");
        }
    }
}
