//! Filing a PAKN: one transaction stores the ticket, its files, its first timeline
//! events, its counters and its mail (the citizen's acknowledgement and the routing
//! rule's notification, see [`crate::mail::compose`]), or nothing at all.
//!
//! Used by the public form, staff entry of off-line PAKN and `seed-demo`.

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use sha2::{Digest, Sha256};

use super::group_commit::GroupCommit;
use crate::config::Config;
use crate::db::{Pool, counters, tickets};
use crate::domain::attachment::CheckedFile;
use crate::domain::calendar::{Deadlines, deadlines, local_date};
use crate::domain::feedback::{Channel, ValidFeedback};
use crate::domain::fold::fold;
use crate::domain::reference::{Reference, Route};
use crate::domain::status::Status;
use crate::domain::time_keys::TicketKeys;
use crate::domain::tracking_code::TrackingCode;
use crate::domain::workflow::ActorKind;
use crate::i18n::Lang;
use crate::mail::{
    self,
    compose::{self, FiledTicket},
};

/// The key of the `submitted` event's data that says what became of the acknowledgement,
/// and its value when none was sent ([`FilingMeta::skip_acknowledgement`]).
pub const ACKNOWLEDGEMENT: &str = "acknowledgement";
pub const ACK_SKIPPED: &str = "skipped";

/// How the PAKN arrived and what the filing carries besides the form.
#[derive(Debug, Clone)]
pub struct FilingMeta {
    pub channel: Channel,
    pub external_ref: Option<String>,
    pub external_ref_date: Option<NaiveDate>,
    pub entered_by: Option<i32>,
    pub lang: String,
    /// The form token: a repeated POST of one form finds the first ticket.
    pub idempotency_key: Option<String>,
    pub suspected_spam: bool,
    pub spam_reasons: Vec<String>,
    pub received_at: DateTime<Utc>,
    /// Files kept from an earlier attempt of the same form, chosen again by the citizen.
    pub keep_stashed: Vec<i64>,
    /// No acknowledgement to the citizen's email: the address was mailed often enough
    /// (`[limits] mail_per_address`, security review finding 11). The `submitted` event
    /// records it, so the receipt page does not claim a confirmation was sent.
    pub skip_acknowledgement: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilingOutcome {
    Created {
        ticket_id: i64,
        code: TrackingCode,
        /// Its public id (Open311's `service_request_id`).
        public_id: String,
        access_token: String,
        reply_due: NaiveDate,
    },
    /// The same form was sent again with the same content: the first ticket stands.
    AlreadyFiled { access_token: String },
    /// The same form token came with different content (a cached or edited form).
    TokenReused,
}

/// A digest of what was filed, to tell a repeated POST from a reused form token.
pub fn content_hash(f: &ValidFeedback, files: &[CheckedFile], keep: &[i64]) -> Vec<u8> {
    let mut h = Sha256::new();
    let parts: [&str; 17] = [
        f.submitter_kind.as_str(),
        f.full_name.as_deref().unwrap_or_default(),
        f.organization.as_deref().unwrap_or_default(),
        f.representative.as_deref().unwrap_or_default(),
        &f.address,
        f.commune.as_deref().unwrap_or_default(),
        f.phone.as_str(),
        f.email.as_deref().unwrap_or_default(),
        f.kind.as_str(),
        &f.content_category,
        &f.field,
        f.procedure.as_deref().unwrap_or_default(),
        f.dossier_code.as_deref().unwrap_or_default(),
        f.subject_agency.as_deref().unwrap_or_default(),
        &f.title,
        &f.content,
        f.proposal.as_deref().unwrap_or_default(),
    ];
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.update([u8::from(f.publish_consent)]);
    for file in files {
        h.update(file.sha256);
    }
    for k in keep {
        h.update(k.to_le_bytes());
    }
    h.finalize().to_vec()
}

/// The folded text staff search runs over.
pub fn search_text(f: &ValidFeedback) -> String {
    let parts = [
        f.full_name.as_deref(),
        f.organization.as_deref(),
        f.representative.as_deref(),
        Some(f.title.as_str()),
        Some(f.content.as_str()),
        f.proposal.as_deref(),
        f.subject_agency.as_deref(),
        f.procedure.as_deref(),
    ];
    let joined: Vec<&str> = parts.into_iter().flatten().collect();
    fold(&joined.join(" "))
}

fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.with_year(d.year() + years as i32)
        .or_else(|| (d - chrono::Days::new(1)).with_year(d.year() + years as i32))
        .unwrap_or(d)
}

/// What a filing works out once, whatever identifiers its attempts draw.
struct Plan<'a> {
    cfg: &'a Config,
    feedback: &'a ValidFeedback,
    meta: &'a FilingMeta,
    route: Route<'a>,
    worked: Worked,
}

/// The values a filing derives from its form and the calendar, the same for each of its
/// attempts (each [`Attempt`] owns a copy).
#[derive(Clone)]
struct Worked {
    due: Deadlines,
    received_on: NaiveDate,
    hash: Vec<u8>,
    search: String,
    retention_until: NaiveDate,
    event_data: serde_json::Value,
}

impl<'a> Plan<'a> {
    fn new(
        cfg: &'a Config,
        reference: &'a Reference,
        feedback: &'a ValidFeedback,
        files: &'a [CheckedFile],
        meta: &'a FilingMeta,
    ) -> anyhow::Result<Plan<'a>> {
        let route = reference
            .route(&feedback.content_category, &feedback.field)
            .context("no active handling unit to route to: seed or activate one")?;
        let received_on = local_date(meta.received_at);
        let mut event_data = serde_json::json!({
            "channel": meta.channel.as_str(),
            "files": files.len() + meta.keep_stashed.len(),
            "routing": {
                "unit": route.unit.code,
                "rule": route.rule.map(|r| r.name.clone()),
                "to": route.to.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
                "cc": route.cc.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
            },
        });
        if meta.skip_acknowledgement && feedback.email.is_some() {
            event_data[ACKNOWLEDGEMENT] = serde_json::Value::from(ACK_SKIPPED);
        }
        Ok(Plan {
            cfg,
            feedback,
            meta,
            worked: Worked {
                due: deadlines(
                    &reference.calendar,
                    &cfg.deadline_policy(),
                    meta.received_at,
                ),
                received_on,
                hash: content_hash(feedback, files, &meta.keep_stashed),
                search: search_text(feedback),
                retention_until: add_years(received_on, cfg.privacy.retention_years),
                event_data,
            },
            route,
        })
    }

    /// Who the `submitted` event is by.
    fn actor(&self) -> ActorKind {
        if self.meta.entered_by.is_some() {
            ActorKind::Staff
        } else {
            ActorKind::Citizen
        }
    }

    /// The mails of the new ticket (they commit with it, or vanish with it; the worker
    /// renders them from the ticket when it sends them), as the filing's JSON rows.
    fn mails_json(&self, ids: &TicketKeys) -> anyhow::Result<serde_json::Value> {
        let filed = FiledTicket {
            ticket_id: 0,
            code: &ids.code,
            access_token: &ids.access_token,
            lang: Lang::parse(&self.meta.lang).unwrap_or_default(),
            email: self
                .feedback
                .email
                .as_deref()
                .filter(|_| !self.meta.skip_acknowledgement),
            received_at: self.meta.received_at,
            accept_due: self.worked.due.accept_due,
            reply_due: self.worked.due.reply_due,
        };
        let mails = compose::filing_stubs(&self.route, &filed);
        mail::outbox::filing_rows_json(&ids.public_id, &mails).context("the filing's mails as JSON")
    }

    /// One attempt with fresh identifiers, owned (the group committer stores it).
    fn attempt(&self) -> anyhow::Result<Attempt> {
        // Fresh keys, the day or second of receipt first (`domain::time_keys`).
        let ids = TicketKeys::draw(self.meta.received_at.timestamp(), &mut rand::rng());
        Ok(Attempt {
            mails: self.mails_json(&ids)?,
            ids,
            feedback: self.feedback.clone(),
            meta: self.meta.clone(),
            notice_version: self.cfg.privacy.notice_version.clone(),
            unit_id: self.route.unit.id,
            rule_id: self.route.rule.map(|r| r.id),
            staff: tickets::StaffNotice {
                linked: compose::linked_accounts(&self.route),
                exclude: self.meta.entered_by,
            },
            actor: self.actor(),
            worked: self.worked.clone(),
        })
    }
}

/// One attempt at storing a filing, its identifiers drawn: everything its statement
/// needs, owned, so that [`super::group_commit`] can store it with others.
pub struct Attempt {
    ids: TicketKeys,
    feedback: ValidFeedback,
    meta: FilingMeta,
    notice_version: String,
    unit_id: i32,
    rule_id: Option<i32>,
    staff: tickets::StaffNotice,
    actor: ActorKind,
    worked: Worked,
    mails: serde_json::Value,
}

impl Attempt {
    fn ticket_row(&self) -> tickets::NewTicket<'_> {
        let (f, meta, w) = (&self.feedback, &self.meta, &self.worked);
        let due = &w.due;
        tickets::NewTicket {
            public_id: &self.ids.public_id,
            code: self.ids.code.as_str(),
            access_token: &self.ids.access_token,
            idempotency_key: meta.idempotency_key.as_deref(),
            content_hash: Some(&w.hash),
            status: Status::Submitted,
            channel: meta.channel,
            external_ref: meta.external_ref.as_deref(),
            external_ref_date: meta.external_ref_date,
            entered_by: meta.entered_by,
            submitter_kind: f.submitter_kind,
            full_name: f.full_name.as_deref(),
            organization: f.organization.as_deref(),
            representative: f.representative.as_deref(),
            address: &f.address,
            commune: f.commune.as_deref(),
            phone: f.phone.as_str(),
            email: f.email.as_deref(),
            kind: f.kind,
            content_category: &f.content_category,
            field_code: &f.field,
            procedure_name: f.procedure.as_deref(),
            dossier_code: f.dossier_code.as_deref(),
            subject_agency: f.subject_agency.as_deref(),
            title: &f.title,
            content: &f.content,
            proposal: f.proposal.as_deref(),
            lang: &meta.lang,
            consent_at: meta.received_at,
            privacy_notice_version: &self.notice_version,
            publish_consent: f.publish_consent,
            publish_consent_at: f.publish_consent.then_some(meta.received_at),
            unit_id: self.unit_id,
            routing_rule_id: self.rule_id,
            received_at: meta.received_at,
            accept_due: due.accept_due,
            forward_due: due.forward_due,
            reply_due: due.reply_due,
            suspected_spam: meta.suspected_spam,
            spam_reasons: &meta.spam_reasons,
            search_text: &w.search,
            retention_until: w.retention_until,
        }
    }

    /// What the filing statement stores for this attempt.
    pub fn extras(&self) -> tickets::FilingExtras<'_> {
        tickets::FilingExtras {
            ticket: self.ticket_row(),
            event_actor: self.actor,
            event_data: &self.worked.event_data,
            received_on: self.worked.received_on,
            mails: &self.mails,
            staff: &self.staff,
        }
    }

    /// Its tracking code (the filing statement returns each stored ticket's).
    pub fn code(&self) -> &str {
        self.ids.code.as_str()
    }

    /// Its form token or the API client's key, if any.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.meta.idempotency_key.as_deref()
    }

    /// What became of it, from the id the filing statement returned for it: filed; or,
    /// its idempotency key being taken, the first filing of the same content or a reused
    /// key. The statement has committed, so what it found is committed too.
    pub async fn outcome(
        &self,
        conn: &mut AsyncPgConnection,
        stored: Option<i64>,
    ) -> Result<FilingOutcome, diesel::result::Error> {
        if let Some(ticket_id) = stored {
            return Ok(self.created(ticket_id));
        }
        let key = self.idempotency_key().unwrap_or_default();
        Ok(match tickets::by_idempotency_key(conn, key).await? {
            Some((access_token, Some(h))) if h == self.worked.hash => {
                FilingOutcome::AlreadyFiled { access_token }
            }
            _ => FilingOutcome::TokenReused,
        })
    }

    fn created(&self, ticket_id: i64) -> FilingOutcome {
        FilingOutcome::Created {
            ticket_id,
            code: self.ids.code.clone(),
            public_id: self.ids.public_id.clone(),
            access_token: self.ids.access_token.clone(),
            reply_due: self.worked.due.reply_due,
        }
    }

    /// Stores this attempt alone, in its own statement on `counter_shard`: one round
    /// trip, read to the end of its answer, past its implicit commit
    /// ([`crate::db::durable`]), so a crash or a refused commit at that moment is an
    /// error here and never a PAKN answered as filed (issue 13; `tests/it/commit.rs`).
    pub async fn store_alone(
        &self,
        conn: &mut AsyncPgConnection,
        counter_shard: i16,
    ) -> Result<FilingOutcome, diesel::result::Error> {
        let extras = [self.extras()];
        let stored =
            tickets::insert_filings(conn, &tickets::FilingBatch::new(&extras, counter_shard))
                .await?
                .first()
                .map(|(_, id)| *id);
        self.outcome(conn, stored).await
    }

    /// Stores this attempt with `files` (new ones, and those kept from an earlier
    /// attempt of the same form) in one transaction, whose `COMMIT` is awaited.
    async fn store_with_files(
        &self,
        conn: &mut AsyncPgConnection,
        files: &[CheckedFile],
    ) -> Result<FilingOutcome, diesel::result::Error> {
        let store = async |conn: &mut AsyncPgConnection| {
            let outcome = self.store_alone(conn, counters::random_shard()).await?;
            let FilingOutcome::Created { ticket_id, .. } = outcome else {
                return Ok(outcome);
            };
            let attachment_rows: Vec<tickets::NewAttachment<'_>> = files
                .iter()
                .map(|f| tickets::NewAttachment {
                    ticket_id,
                    event_id: None,
                    origin: "citizen",
                    filename: &f.filename,
                    content_type: f.kind.content_type(),
                    size_bytes: i32::try_from(f.bytes.len()).unwrap_or(i32::MAX),
                    sha256: &f.sha256,
                    data: &f.bytes,
                })
                .collect();
            tickets::insert_attachments(conn, &attachment_rows).await?;
            if let Some(key) = self.idempotency_key()
                && !self.meta.keep_stashed.is_empty()
            {
                tickets::claim_stashed_files(conn, key, &self.meta.keep_stashed, ticket_id).await?;
            }
            Ok(outcome)
        };
        conn.transaction::<FilingOutcome, diesel::result::Error, _>(store)
            .await
    }
}

/// Whether a failed attempt should be made again with fresh identifiers: its code, public
/// id or private link token was taken (astronomically rare).
fn identifiers_collided(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            info,
        ) if matches!(
            info.constraint_name(),
            Some("tickets_code_key" | "tickets_public_id_key" | "tickets_access_token_key")
        )
    )
}

/// Counts a new PAKN in the metrics.
fn count_filed(outcome: &FilingOutcome, channel: Channel) {
    if matches!(outcome, FilingOutcome::Created { .. }) {
        metrics::counter!("pakn_tickets_filed_total", "channel" => channel.as_str()).increment(1);
    }
}

/// Stores one filing on `conn`, alone (or in a transaction with its files). Retries with
/// fresh identifiers in the (astronomically rare) case of a collision of code, public id
/// or access token.
pub async fn file(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &Reference,
    feedback: &ValidFeedback,
    files: &[CheckedFile],
    meta: &FilingMeta,
) -> anyhow::Result<FilingOutcome> {
    let plan = Plan::new(cfg, reference, feedback, files, meta)?;
    let with_files = has_files(files, meta);
    for round in 1..=ROUNDS {
        let attempt = plan.attempt()?;
        let result = if with_files {
            attempt.store_with_files(conn, files).await
        } else {
            attempt.store_alone(conn, counters::random_shard()).await
        };
        if let Some(outcome) = settled(round, result, meta.channel)? {
            return Ok(outcome);
        }
    }
    anyhow::bail!("could not find a free tracking code after {ROUNDS} attempts")
}

/// Stores one filing of the public form or the API: through `group`, together with the
/// filings arriving at the same time, when it has an idempotency key and no file;
/// otherwise alone on a connection of `pool` ([`file`]). Either way the outcome is
/// returned only once the PAKN is committed.
pub async fn file_grouped(
    group: &GroupCommit,
    pool: &Pool,
    cfg: &Config,
    reference: &Reference,
    feedback: &ValidFeedback,
    files: &[CheckedFile],
    meta: &FilingMeta,
) -> anyhow::Result<FilingOutcome> {
    if has_files(files, meta) || meta.idempotency_key.is_none() {
        let mut conn = pool.get().await.context("a connection to file a PAKN")?;
        return file(&mut conn, cfg, reference, feedback, files, meta).await;
    }
    let plan = Plan::new(cfg, reference, feedback, files, meta)?;
    for round in 1..=ROUNDS {
        let result = group.store(plan.attempt()?).await?;
        if let Some(outcome) = settled(round, result, meta.channel)? {
            return Ok(outcome);
        }
    }
    anyhow::bail!("could not find a free tracking code after {ROUNDS} attempts")
}

/// Whether the filing carries files, new or kept from an earlier attempt of its form.
fn has_files(files: &[CheckedFile], meta: &FilingMeta) -> bool {
    !files.is_empty() || !meta.keep_stashed.is_empty()
}

/// How many identifiers a filing draws at most.
const ROUNDS: u32 = 5;

/// What the result of attempt `round` means: the outcome (a new PAKN counted in the
/// metrics), `None` to try again with fresh identifiers (its code, public id or private
/// link token was taken: astronomically rare), or the error.
fn settled(
    round: u32,
    result: Result<FilingOutcome, diesel::result::Error>,
    channel: Channel,
) -> anyhow::Result<Option<FilingOutcome>> {
    match result {
        Ok(outcome) => {
            count_filed(&outcome, channel);
            Ok(Some(outcome))
        }
        Err(e) if round < ROUNDS && identifiers_collided(&e) => {
            tracing::warn!(round, "identifier collision while filing; retrying");
            Ok(None)
        }
        Err(e) => Err(anyhow::Error::new(e).context("storing the filing")),
    }
}
