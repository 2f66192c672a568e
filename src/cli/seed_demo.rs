//! `pakn seed-demo --tickets N`: realistic demo PAKN for trials and benchmarks, written
//! with `COPY` (tokio-postgres; diesel-async has no COPY). Statuses, units, lĩnh vực and
//! receipt dates are spread over the last two years; deadlines come from the calendar;
//! each ticket gets its `submitted` event and each answered one its approved reply; the
//! counters and the report aggregates are rebuilt from the rows. No mail is queued.

use anyhow::Context;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::SinkExt;
use rand::Rng;
use rand::seq::IndexedRandom;
use tokio_postgres::NoTls;

use super::{bulk_indexes, seed_story, spread};
use crate::config::Config;
use crate::domain::calendar::{DeadlinePolicy, deadlines, local_date};
use crate::domain::fold::fold;
use crate::domain::reference::Reference;
use crate::domain::status::Status;
use crate::domain::time_keys::TicketKeys;
use crate::handling::report_reconcile;
use crate::reference::ReferenceCache;

const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý",
];
const MIDDLES: &[&str] = &[
    "Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Kim", "Đức", "Hoài",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dung", "Hòa", "Hạnh", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc",
    "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Đạt",
];
const PLACES: &[&str] = &[
    "Rạch Giá",
    "Long Xuyên",
    "Châu Đốc",
    "Hà Tiên",
    "Phú Quốc",
    "Tân Châu",
    "Thoại Sơn",
    "Châu Thành",
    "Kiên Lương",
    "Tri Tôn",
];
const STREETS: &[&str] = &[
    "Trần Hưng Đạo",
    "Nguyễn Trung Trực",
    "Lê Lợi",
    "Hai Bà Trưng",
    "Tôn Đức Thắng",
    "Lý Thường Kiệt",
    "Nguyễn Huệ",
];
const SUBJECTS: &[&str] = &[
    "Chậm giải quyết hồ sơ trợ cấp thất nghiệp",
    "Thủ tục xác nhận quá trình công tác kéo dài",
    "Đề nghị đơn giản hóa hồ sơ nâng lương",
    "Cán bộ tiếp nhận yêu cầu bổ sung giấy tờ không có trong quy định",
    "Thời hạn cấp giấy phép lao động cho người nước ngoài",
    "Hồ sơ khen thưởng chưa được trả lời",
    "Quy định về tuyển dụng viên chức chưa thống nhất",
    "Đề xuất tiếp nhận hồ sơ bảo hiểm xã hội trực tuyến",
    "Chế độ người có công chưa được chi trả đúng hạn",
    "Thủ tục đăng ký hoạt động tôn giáo",
];
/// Status weights by the ticket's age: new PAKN wait or are being handled, old ones are
/// answered or closed, so overdue and due-soon counts look like a working department's.
fn statuses_for_age(days: i64) -> &'static [(Status, u32)] {
    match days {
        0..=2 => &[
            (Status::Submitted, 60),
            (Status::Accepted, 25),
            (Status::NeedsInfo, 5),
            (Status::InProgress, 10),
        ],
        3..=19 => &[
            (Status::Accepted, 15),
            (Status::InProgress, 45),
            (Status::NeedsInfo, 8),
            (Status::PendingApproval, 10),
            (Status::Answered, 15),
            (Status::Rejected, 4),
            (Status::OutOfScope, 2),
            (Status::Transferred, 1),
        ],
        20..=59 => &[
            (Status::InProgress, 10),
            (Status::PendingApproval, 3),
            (Status::Answered, 50),
            (Status::Closed, 25),
            (Status::Rejected, 6),
            (Status::OutOfScope, 4),
            (Status::Transferred, 2),
        ],
        _ => &[
            (Status::Answered, 10),
            (Status::Closed, 78),
            (Status::Rejected, 7),
            (Status::OutOfScope, 3),
            (Status::Transferred, 2),
        ],
    }
}

/// The demo accounts (password [`DEMO_PASSWORD`]): one admin, leader and inspector, and
/// one officer per unit.
pub const DEMO_PASSWORD: &str = "pakn-demo-2026";

/// Escapes a value for COPY's text format.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn pick_status(rng: &mut impl Rng, age_days: i64) -> Status {
    let weights = statuses_for_age(age_days);
    let total: u32 = weights.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (s, w) in weights {
        if roll < *w {
            return *s;
        }
        roll -= w;
    }
    Status::Submitted
}

/// The dates of one demo PAKN's life, consistent with its status and never in the future:
/// an answer older than the rating window is closed (as the automatic moves would close
/// it at the first start), a younger closed one is still answered.
struct Life {
    status: Status,
    accepted_at: Option<DateTime<Utc>>,
    answered_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    needs_info_due: Option<NaiveDate>,
}

impl Life {
    fn of(
        rng: &mut impl Rng,
        picked: Status,
        received: DateTime<Utc>,
        now: DateTime<Utc>,
        window: Duration,
    ) -> Life {
        let cap = |t: DateTime<Utc>| t.min(now - Duration::minutes(1)).max(received);
        let answered_at = matches!(picked, Status::Answered | Status::Closed)
            .then(|| cap(received + Duration::days(rng.random_range(3..30))));
        let status = match (picked, answered_at) {
            (Status::Answered, Some(a)) if a + window < now => Status::Closed,
            (Status::Closed, Some(a)) if a + window >= now => Status::Answered,
            (s, _) => s,
        };
        let ended = matches!(
            status,
            Status::Rejected | Status::OutOfScope | Status::Transferred
        );
        let accepted_at = (!ended && status != Status::Submitted)
            .then(|| cap(received + Duration::hours(rng.random_range(2..40))));
        let closed_at = match status {
            Status::Closed => answered_at.map(|a| cap(a + window)),
            _ if ended => Some(cap(received + Duration::hours(rng.random_range(4..48)))),
            _ => None,
        };
        let needs_info_due = (status == Status::NeedsInfo)
            .then(|| accepted_at.map(|a| local_date(a) + Duration::days(15)))
            .flatten();
        Life {
            status,
            accepted_at,
            answered_at,
            closed_at,
            needs_info_due,
        }
    }
}

fn opt_time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_else(|| "\\N".into())
}

/// What every generated row draws from, shared with the generating thread.
struct Ctx {
    reference: Arc<Reference>,
    policy: DeadlinePolicy,
    officers: Vec<(i32, i32)>,
    fields: Vec<String>,
    categories: Vec<String>,
    now: DateTime<Utc>,
    window: Duration,
    retention_years: u32,
    notice_version: String,
}

/// Memory for each sort and hash of the seed's set-based statements.
const WORK_MEM: &str = "256MB";

/// Memory for each index build.
const BUILD_MEMORY: &str = "512MB";

/// Rows are generated and sent to `COPY` in batches of this many.
const BATCH: u64 = 50_000;

/// The columns of the COPY, in the order of [`generate`]'s fields.
const COPY_TICKETS: &str = "COPY tickets (public_id, code, access_token, status, channel, submitter_kind, full_name, address, phone, email, kind, content_category, field_code, dossier_code, title, content, proposal, lang, consent_at, privacy_notice_version, publish_consent, unit_id, routing_rule_id, assignee_id, received_at, accept_due, forward_due, reply_due, answered_at, search_text, retention_until, accepted_at, closed_at, status_before_info, needs_info_due) FROM STDIN";

/// The seed's PAKN were received over the last two years.
const SPAN_SECS: i64 = 730 * 86_400;

/// Which of the seed's PAKN a batch holds: `size` of them from the `from`-th of `count`.
#[derive(Debug, Clone, Copy)]
struct Slice {
    from: u64,
    size: u64,
    count: u64,
}

impl Slice {
    /// The times of receipt of the slice's PAKN, oldest first: drawn at random within
    /// the slice's share of the two years, so that the seed is loaded in the order a
    /// department receives its PAKN. Its rows then lie in the table, and their keys in
    /// the indexes, as years of filing leave them: the time-first keys
    /// ([`crate::domain::time_keys`]) at each index's recent end instead of in random
    /// pages of indexes larger than memory (at 10,000,000 PAKN the load was bound by
    /// those), and the newest PAKN, which the queue shows first, side by side.
    fn received(self, now: DateTime<Utc>, rng: &mut impl Rng) -> Vec<DateTime<Utc>> {
        let share = |i: u64| {
            let i = i128::from(i.min(self.count));
            let span = i128::from(SPAN_SECS);
            i64::try_from(span * i / i128::from(self.count.max(1))).unwrap_or(SPAN_SECS)
        };
        let (start, end) = (share(self.from), share(self.from + self.size));
        let mut offsets: Vec<i64> = (0..self.size)
            .map(|_| rng.random_range(start..end.max(start + 1)))
            .collect();
        offsets.sort_unstable();
        offsets
            .into_iter()
            .map(|o| now - Duration::seconds(SPAN_SECS - o))
            .collect()
    }
}

/// The demo PAKN of `slice` as COPY text lines.
fn generate(ctx: &Ctx, slice: Slice) -> anyhow::Result<String> {
    let mut buf = String::with_capacity(slice.size as usize * 900);
    let mut rng = rand::rng();
    for received in slice.received(ctx.now, &mut rng) {
        let name = format!(
            "{} {} {}",
            SURNAMES.choose(&mut rng).unwrap_or(&"Nguyễn"),
            MIDDLES.choose(&mut rng).unwrap_or(&"Văn"),
            GIVEN.choose(&mut rng).unwrap_or(&"An")
        );
        let place = PLACES.choose(&mut rng).unwrap_or(&"Rạch Giá");
        let address = format!(
            "{} {}, {}",
            rng.random_range(1..300),
            STREETS.choose(&mut rng).unwrap_or(&"Lê Lợi"),
            place
        );
        let phone = format!("09{:08}", rng.random_range(0..100_000_000u32));
        let field = ctx.fields.choose(&mut rng).map_or("khac", String::as_str);
        let category = ctx
            .categories
            .choose(&mut rng)
            .map_or("khac", String::as_str);
        let kind = if category == "sang_kien" || rng.random_bool(0.3) {
            "kien_nghi"
        } else {
            "phan_anh"
        };
        let subject = SUBJECTS.choose(&mut rng).unwrap_or(&SUBJECTS[0]);
        let title = format!("{subject} tại {place}");
        // As a filing makes them: the day or the second of receipt first.
        let TicketKeys {
            code,
            public_id,
            access_token: token,
        } = TicketKeys::draw(received.timestamp(), &mut rng);
        let lodged = local_date(received) - Duration::days(rng.random_range(10..60));
        let content = format!(
            "Tôi là {name}, ở {place}. {subject}: hồ sơ nộp ngày {} đến nay chưa có kết quả. Đề nghị Sở xem xét, trả lời.",
            lodged.format("%d/%m/%Y")
        );
        let proposal = if kind == "kien_nghi" {
            "Đề nghị rút ngắn thời gian giải quyết và công khai tiến độ hồ sơ."
        } else {
            ""
        };
        let due = deadlines(&ctx.reference.calendar, &ctx.policy, received);
        let route = ctx
            .reference
            .route(category, field)
            .context("no handling unit to route demo tickets")?;
        let picked = pick_status(&mut rng, (ctx.now - received).num_days());
        let life = Life::of(&mut rng, picked, received, ctx.now, ctx.window);
        let status = life.status;
        let assignee = (!matches!(
            status,
            Status::Submitted | Status::Rejected | Status::OutOfScope
        ))
        .then(|| {
            ctx.officers
                .iter()
                .find(|(u, _)| *u == route.unit.id)
                .map(|(_, id)| *id)
        })
        .flatten();
        let search = fold(&format!("{name} {title} {content} {proposal}"));
        let retention = local_date(received) + Duration::days(365 * i64::from(ctx.retention_years));
        let email = if rng.random_bool(0.6) {
            format!("{}@example.vn", fold(&name).replace(' ', "."))
        } else {
            "\\N".into()
        };
        let dossier = if rng.random_bool(0.3) {
            format!(
                "000.00.{:02}.H01-{}",
                rng.random_range(1..40),
                rng.random_range(100000..999999)
            )
        } else {
            "\\N".into()
        };
        let row = [
            public_id,
            code.as_str().to_string(),
            token,
            status.to_string(),
            "web".to_string(),
            "individual".to_string(),
            esc(&name),
            esc(&address),
            phone,
            email,
            kind.to_string(),
            category.to_string(),
            field.to_string(),
            dossier,
            esc(&title),
            esc(&content),
            if proposal.is_empty() {
                "\\N".into()
            } else {
                esc(proposal)
            },
            "vi".into(),
            received.to_rfc3339(),
            ctx.notice_version.clone(),
            rng.random_bool(0.5).to_string(),
            route.unit.id.to_string(),
            route
                .rule
                .map(|r| r.id.to_string())
                .unwrap_or_else(|| "\\N".into()),
            assignee
                .map(|a| a.to_string())
                .unwrap_or_else(|| "\\N".into()),
            received.to_rfc3339(),
            due.accept_due.to_string(),
            due.forward_due.to_string(),
            due.reply_due.to_string(),
            opt_time(life.answered_at),
            esc(&search),
            retention.to_string(),
            opt_time(life.accepted_at),
            opt_time(life.closed_at),
            if status == Status::NeedsInfo {
                "in_progress".into()
            } else {
                "\\N".into()
            },
            life.needs_info_due
                .map(|d| d.to_string())
                .unwrap_or_else(|| "\\N".into()),
        ];
        buf.push_str(&row.join("\t"));
        buf.push('\n');
    }
    Ok(buf)
}

/// Turns off the session's triggers and foreign-key checks where the role may
/// (`session_replication_role`, a superuser's setting): the demo history is not news,
/// so no webhook is queued for it, and its rows are consistent by construction. Each
/// rating and publication otherwise queues its webhooks row by row, a statement planned
/// per row (at a million PAKN: a minute of the seed's three). Without the right, the
/// seed goes on with them.
async fn quiet_triggers(client: &tokio_postgres::Client) -> Result<(), String> {
    client
        .batch_execute("SET session_replication_role = replica")
        .await
        .map_err(|e| {
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string())
        })
}

/// Loads one batch of generated rows; returns how many.
async fn copy_tickets(client: &tokio_postgres::Client, rows: String) -> anyhow::Result<u64> {
    let lines = rows.bytes().filter(|b| *b == b'\n').count() as u64;
    let sink = client
        .copy_in(COPY_TICKETS)
        .await
        .context("starting COPY")?;
    futures_util::pin_mut!(sink);
    sink.send(bytes::Bytes::from(rows))
        .await
        .context("sending COPY data")?;
    sink.as_mut()
        .finish()
        .await
        .context("finishing COPY (a code drawn twice would show here)")?;
    Ok(lines)
}

/// Whether a batch failed on a unique key (a code, public id or token drawn twice).
fn is_duplicate(e: &anyhow::Error) -> bool {
    e.downcast_ref::<tokio_postgres::Error>()
        .and_then(tokio_postgres::Error::code)
        == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// How long each step of the seed took, said at the end.
struct Steps {
    started: Instant,
    last: Instant,
    done: Vec<(&'static str, f64)>,
}

impl Steps {
    fn new() -> Steps {
        let now = Instant::now();
        Steps {
            started: now,
            last: now,
            done: Vec::new(),
        }
    }

    fn finished(&mut self, step: &'static str) {
        let now = Instant::now();
        let secs = (now - self.last).as_secs_f64();
        self.last = now;
        eprintln!("seed-demo: {step} in {secs:.1}s");
        self.done.push((step, secs));
    }

    fn summary(&self) -> String {
        let parts: Vec<String> = self
            .done
            .iter()
            .map(|(step, secs)| format!("{step} {secs:.1}s"))
            .collect();
        format!(
            "{:.1}s ({})",
            self.started.elapsed().as_secs_f64(),
            parts.join(", ")
        )
    }
}

/// Adds `count` demo PAKN, loading through `jobs` connections at once (one Postgres
/// backend each).
pub async fn run(cfg: &Config, count: u64, jobs: usize) -> anyhow::Result<()> {
    crate::app::prepare(cfg).await?;
    let mut conn = crate::db::connect(&cfg.database.url).await?;
    let reference = ReferenceCache::load(&mut conn).await?.get();
    drop(conn);
    let mut clients = Vec::new();
    let mut conn_tasks = Vec::new();
    for _ in 0..jobs.max(1) {
        let (client, connection) = tokio_postgres::connect(&cfg.database.url, NoTls)
            .await
            .context("connecting with tokio-postgres for COPY")?;
        conn_tasks.push(tokio::spawn(connection));
        // The history and the aggregates are a few big joins and sorts, and the bulk
        // load's indexes are built by sorting: in memory rather than in batches on disk.
        client
            .batch_execute(&format!(
                "SET work_mem = '{WORK_MEM}'; SET maintenance_work_mem = '{BUILD_MEMORY}'"
            ))
            .await
            .context("raising work_mem")?;
        if let Err(why) = quiet_triggers(&client).await
            && clients.is_empty()
        {
            eprintln!("seed-demo: triggers stay on ({why}); the history is slower");
        }
        clients.push(client);
    }
    let client = &clients[0];
    let mut steps = Steps::new();

    let officers = demo_users(client, &reference).await?;
    let ctx = Arc::new(Ctx {
        fields: reference.active_fields().map(|f| f.code.clone()).collect(),
        categories: reference
            .active_categories()
            .map(|c| c.code.clone())
            .collect(),
        reference,
        policy: cfg.deadline_policy(),
        officers,
        now: Utc::now(),
        window: Duration::days(i64::from(cfg.deadlines.rating_window_days)),
        retention_years: cfg.privacy.retention_years,
        notice_version: cfg.privacy.notice_version.clone(),
    });
    bulk_indexes::restore(&clients).await?;
    let existing: i64 = client
        .query_one("SELECT count(*) FROM tickets", &[])
        .await
        .context("counting the PAKN already there")?
        .get(0);
    // Loading at least as many rows as the table holds: its secondary indexes are
    // dropped and built again after (one sort each instead of an insert per row).
    let bulk = u64::try_from(existing).unwrap_or(0) <= count;
    if bulk {
        bulk_indexes::drop(client).await?;
    }

    // Threads generate the next batches while Postgres loads the previous ones, through
    // every connection.
    let (tx, rx) = tokio::sync::mpsc::channel::<(Slice, anyhow::Result<String>)>(clients.len() + 1);
    let claimed = Arc::new(AtomicU64::new(0));
    let generators: Vec<_> = (0..clients.len())
        .map(|_| {
            let (ctx, tx, claimed) = (ctx.clone(), tx.clone(), claimed.clone());
            tokio::task::spawn_blocking(move || {
                loop {
                    let from = claimed.fetch_add(BATCH, Ordering::Relaxed);
                    if from >= count {
                        return;
                    }
                    let slice = Slice {
                        from,
                        size: BATCH.min(count - from),
                        count,
                    };
                    if tx.blocking_send((slice, generate(&ctx, slice))).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let rx = tokio::sync::Mutex::new(rx);
    let done = AtomicU64::new(0);
    futures_util::future::try_join_all(clients.iter().map(|client| async {
        loop {
            let Some((slice, batch)) = rx.lock().await.recv().await else {
                return anyhow::Ok(());
            };
            let mut rows = batch?;
            let mut redrawn = 0;
            // A code is its day and 40 random bits: among ten million over two years
            // (13,700 a day), a code drawn twice happens about once in 16 seeds, and
            // fails its whole batch; it is drawn again.
            let lines = loop {
                match copy_tickets(client, rows).await {
                    Ok(lines) => break lines,
                    Err(e) if is_duplicate(&e) && redrawn < 3 => {
                        redrawn += 1;
                        eprintln!("seed-demo: a drawn code was taken; drawing the batch again");
                        let ctx = ctx.clone();
                        rows = tokio::task::spawn_blocking(move || generate(&ctx, slice))
                            .await
                            .context("drawing a batch again")??;
                    }
                    Err(e) => return Err(e),
                }
            };
            let now = done.fetch_add(lines, Ordering::Relaxed) + lines;
            eprintln!("seed-demo: {now}/{count} tickets");
        }
    }))
    .await?;
    for generator in generators {
        generator.await.context("a generating thread")?;
    }
    steps.finished("tickets (COPY)");
    seed_story::write(&clients, &seed_story::copies(SUBJECTS, PLACES)).await?;
    steps.finished("history (events, replies, ratings, public copies)");
    if bulk {
        bulk_indexes::build(&clients).await?;
        steps.finished("indexes");
    }
    // Before the set-based rebuilds below: they are planned from the statistics ANALYZE
    // gathers (without them the report aggregates' plan took twice as long), and VACUUM
    // marks the loaded rows all-visible (without that the counts over the open tickets'
    // index read the heap: 150 ms instead of 2 ms at 1,000,000 tickets).
    vacuum(
        &clients,
        &[
            "public_answers",
            "ratings",
            "replies",
            "ticket_events",
            "tickets",
        ],
    )
    .await?;
    steps.finished("vacuum (loaded rows)");
    rebuild_counters(&clients).await?;
    steps.finished("counters");
    rebuild_reports(&clients, cfg.deadlines.publish_working_days).await?;
    counts_as_reconciled(client).await?;
    steps.finished("report aggregates");
    vacuum(
        &clients,
        &["report_months", "report_counts", "ticket_counters"],
    )
    .await?;
    steps.finished("vacuum (aggregates)");
    let size = client
        .query_one(
            "SELECT pg_database_size(current_database()), (SELECT count(*) FROM tickets)",
            &[],
        )
        .await
        .context("measuring the database")?;
    let (bytes, tickets): (i64, i64) = (size.get(0), size.get(1));
    eprintln!(
        "seed-demo: the database holds {tickets} PAKN in {:.2} GB, {:.1} kB per PAKN",
        bytes as f64 / 1e9,
        bytes as f64 / 1e3 / tickets.max(1) as f64
    );
    drop(clients);
    for task in conn_tasks {
        let _ = task.await;
    }
    eprintln!("seed-demo: {count} tickets in {}", steps.summary());
    Ok(())
}

/// VACUUM (ANALYZE) of `tables`, spread over the connections, the last first (list the
/// biggest last). VACUUM cannot run inside a transaction.
async fn vacuum(clients: &[tokio_postgres::Client], tables: &[&'static str]) -> anyhow::Result<()> {
    spread::over(clients, tables.to_vec(), async |client, table| {
        client
            .batch_execute(&format!("VACUUM (ANALYZE) {table}"))
            .await
            .with_context(|| format!("vacuuming {table}"))
    })
    .await
}

/// The status counters, recomputed set-based from the rows: the statuses, the answers'
/// outcomes and the ratings, each its own statement (their keys never meet), spread over
/// the connections.
async fn rebuild_counters(clients: &[tokio_postgres::Client]) -> anyhow::Result<()> {
    clients[0]
        .batch_execute("DELETE FROM ticket_counters")
        .await
        .context("emptying the counters")?;
    let statements = vec![
        "INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
           SELECT unit_id, field_code, status,
                  date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, count(*)
           FROM tickets GROUP BY 1, 2, 3, 4",
        "INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
           SELECT unit_id, field_code,
                  CASE WHEN (answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= reply_due
                       THEN 'outcome:on_time' ELSE 'outcome:late' END,
                  date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, count(*)
           FROM tickets WHERE answered_at IS NOT NULL GROUP BY 1, 2, 3, 4",
        "INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
           SELECT t.unit_id, t.field_code, 'outcome:rating_' || r.rating,
                  date_trunc('month', t.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, count(*)
           FROM ratings r JOIN tickets t ON t.id = r.ticket_id GROUP BY 1, 2, 3, 4",
    ];
    spread::over(clients, statements, async |client, sql| {
        client
            .batch_execute(sql)
            .await
            .context("rebuilding the counters")
    })
    .await
}

/// The id ranges of `parts` near-equal parts of `first..=last` (fewer when there are
/// fewer ids), in order.
fn id_ranges(first: i64, last: i64, parts: usize) -> Vec<(i64, i64)> {
    if last < first {
        return Vec::new();
    }
    let ids = i128::from(last) - i128::from(first) + 1;
    let parts = i128::try_from(parts.max(1)).unwrap_or(1).min(ids);
    let bound = |k: i128| i64::try_from(i128::from(first) + ids * k / parts).unwrap_or(last);
    (0..parts).map(|k| (bound(k), bound(k + 1) - 1)).collect()
}

/// The report aggregates, recomputed set-based from the rows (as the reconciliation).
///
/// The truth is computed a range of ids at a time (`pakn_report_truth_of`), the ranges
/// spread over the connections, into an unlogged staging table: every CPU works, where
/// one statement kept one backend busy (at 1,000,000 PAKN on two CPUs: eight ranges took
/// 27 s where the whole took 115 s, their sorts fitting in `work_mem`; summing the
/// ranges then costs about 23 s where loading one result took 9 s). A key's counts in
/// the ranges where it occurs are summed into shard 0 on the way in, as the nightly
/// reconciliation would fold them.
///
/// Then, in one transaction (an error drops the connection, which rolls it back), in the
/// order of their days: in a running system each day's counts are written on that day,
/// so a run of days lies on few pages (in hash order a month's edge days of a range
/// report read 45,000 pages: 1.9 s instead of 19 ms):
/// - the monthly roll-ups' trigger is off meanwhile (a million delta rows otherwise);
///   they are rebuilt set-based from the daily counts after;
/// - TRUNCATE, not DELETE: the deleted rows' keys would stay in the primary key until
///   the transaction ends, and every new row would visit its dead twin in the heap for
///   the uniqueness check (at 100,000 PAKN: 13 s of inserts instead of 8);
/// - the daily counts' primary key is dropped for the load and built again after, by
///   one sort (at 100,000 PAKN: 3.4 s instead of 4.5 s).
async fn rebuild_reports(
    clients: &[tokio_postgres::Client],
    publish_days: u32,
) -> anyhow::Result<()> {
    let client = &clients[0];
    let days = i32::try_from(publish_days).unwrap_or(2);
    let ids = client
        .query_one(
            "SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM tickets",
            &[],
        )
        .await
        .context("reading the range of ticket ids")?;
    // A few ranges per connection, so that one with more history does not hold the
    // others up.
    let ranges = id_ranges(ids.get(0), ids.get(1), 4 * clients.len());
    client
        .batch_execute(
            "DROP TABLE IF EXISTS seed_report_parts;
             CREATE UNLOGGED TABLE seed_report_parts (LIKE report_counts);",
        )
        .await
        .context("making the staging table of the report aggregates")?;
    spread::over(clients, ranges, async |client, (first, last)| {
        client
            .execute(
                "INSERT INTO seed_report_parts (basis, day, unit_id, field_code,
                                                content_category, channel, kind, metric,
                                                shard, n)
                 SELECT basis, day, unit_id, field_code, content_category, channel, kind,
                        metric, 0, n
                   FROM pakn_report_truth_of($1, $2, $3)",
                &[&days, &first, &last],
            )
            .await
            .with_context(|| format!("computing the report aggregates of ids {first}–{last}"))
            .map(drop)
    })
    .await?;
    // Its statistics, for the plan that sums it (summed unanalysed, it once took six
    // minutes at 1,000,000 PAKN instead of about twenty seconds).
    client
        .batch_execute("ANALYZE seed_report_parts")
        .await
        .context("analysing the staged report aggregates")?;
    client
        .batch_execute(
            "BEGIN; ALTER TABLE report_counts DISABLE TRIGGER report_months_delta;
             TRUNCATE report_counts, report_months;",
        )
        .await
        .context("emptying the report aggregates")?;
    let key = client
        .query_one(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
              WHERE conrelid = 'report_counts'::regclass AND contype = 'p'",
            &[],
        )
        .await
        .context("reading the report counts' primary key")?;
    let (name, definition): (String, String) = (key.get(0), key.get(1));
    let name = bulk_indexes::quote(&name);
    client
        .batch_execute(&format!("ALTER TABLE report_counts DROP CONSTRAINT {name}"))
        .await
        .context("dropping the report counts' primary key for the load")?;
    client
        .batch_execute(
            "INSERT INTO report_counts (basis, day, unit_id, field_code, content_category,
                                        channel, kind, metric, shard, n)
             SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric,
                    0, sum(n)
               FROM seed_report_parts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY basis, day",
        )
        .await
        .context("loading the report aggregates")?;
    client
        .batch_execute(&format!(
            "ALTER TABLE report_counts ADD CONSTRAINT {name} {definition}"
        ))
        .await
        .context("building the report counts' primary key")?;
    client
        .batch_execute(
            "INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n, folded)
             SELECT basis, month, unit_id, dim, value, metric, n, true
               FROM pakn_report_months_truth() WHERE n <> 0 ORDER BY basis, dim, month;
             ALTER TABLE report_counts ENABLE TRIGGER report_months_delta; COMMIT;
             DROP TABLE seed_report_parts;",
        )
        .await
        .context("rebuilding the monthly report roll-ups")?;
    Ok(())
}

/// Records the rebuild as tonight's reconciliation: the aggregates were just computed
/// from the rows, as it computes them. Without this the first `pakn serve` after a seed
/// computed the whole truth again at its first tick (at 10,000,000 PAKN, minutes of one
/// backend, under the first benchmark's feet).
async fn counts_as_reconciled(client: &tokio_postgres::Client) -> anyhow::Result<()> {
    client
        .execute(
            "INSERT INTO job_leases (name, last_run_at) VALUES ($1, now())
             ON CONFLICT (name) DO UPDATE SET last_run_at = now()",
            &[&report_reconcile::LEASE],
        )
        .await
        .context("recording the rebuild as tonight's reconciliation")?;
    Ok(())
}

/// Creates the demo accounts when missing; returns (unit id, officer id) pairs.
async fn demo_users(
    client: &tokio_postgres::Client,
    reference: &crate::domain::reference::Reference,
) -> anyhow::Result<Vec<(i32, i32)>> {
    let hash = crate::auth::password::hash(DEMO_PASSWORD).await?;
    let mut accounts: Vec<(String, String, Vec<&str>, Option<i32>)> = vec![
        (
            "admin@demo.pakn.vn".into(),
            "Quản trị hệ thống".into(),
            vec!["admin"],
            None,
        ),
        (
            "lanhdao@demo.pakn.vn".into(),
            "Lãnh đạo Sở".into(),
            vec!["leader"],
            None,
        ),
        (
            "kiemtra@demo.pakn.vn".into(),
            "Tổ kiểm tra công vụ (giám sát)".into(),
            vec!["inspector"],
            None,
        ),
    ];
    for unit in reference.units.iter().filter(|u| u.active) {
        accounts.push((
            format!("{}@demo.pakn.vn", unit.code.replace('_', ".")),
            format!("Chuyên viên {}", unit.name_vi),
            vec!["officer"],
            Some(unit.id),
        ));
    }
    let mut officers = Vec::new();
    for (email, name, roles, unit) in accounts {
        let roles: Vec<String> = roles.into_iter().map(str::to_string).collect();
        client
            .execute(
                "INSERT INTO users (email, name, password_hash, roles, unit_id) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT DO NOTHING",
                &[&email, &name, &hash, &roles, &unit],
            )
            .await
            .context("adding a demo user")?;
        if let Some(unit) = unit {
            let row = client
                .query_one(
                    "SELECT id FROM users WHERE lower(email) = lower($1)",
                    &[&email],
                )
                .await
                .context("reading a demo user")?;
            officers.push((unit, row.get::<_, i32>(0)));
        }
    }
    eprintln!("seed-demo: staff accounts *@demo.pakn.vn, password {DEMO_PASSWORD}");
    Ok(officers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_ranges_cover_every_id_once_in_order() {
        for (first, last, parts) in [(1, 10, 3), (1, 1_000_000, 8), (5, 6, 8), (7, 7, 1)] {
            let ranges = id_ranges(first, last, parts);
            assert!(ranges.len() <= parts && !ranges.is_empty());
            assert_eq!(ranges[0].0, first);
            assert_eq!(ranges[ranges.len() - 1].1, last);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].1 + 1, pair[1].0, "adjacent, no gap, no overlap");
            }
            assert!(ranges.iter().all(|(a, b)| a <= b), "none empty");
        }
        assert_eq!(id_ranges(1, 10, 3), vec![(1, 3), (4, 6), (7, 10)]);
        assert!(id_ranges(0, -1, 4).is_empty(), "no tickets, no ranges");
    }

    #[test]
    fn slices_cover_the_two_years_in_order() {
        let now = Utc::now();
        let mut rng = rand::rng();
        let count = 1_000;
        let mut all = Vec::new();
        for from in (0..count).step_by(300) {
            let size = 300.min(count - from);
            let times = Slice { from, size, count }.received(now, &mut rng);
            assert_eq!(times.len() as u64, size);
            all.extend(times);
        }
        assert!(
            all.windows(2).all(|w| w[0] <= w[1]),
            "oldest first, batch after batch"
        );
        assert!(all[0] >= now - Duration::seconds(SPAN_SECS));
        assert!(all[0] < now - Duration::seconds(SPAN_SECS - 30 * 86_400));
        assert!(all[all.len() - 1] <= now);
        assert!(all[all.len() - 1] > now - Duration::days(30));
    }
}
