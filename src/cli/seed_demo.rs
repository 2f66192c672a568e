//! `pakn seed-demo --tickets N`: realistic demo PAKN for trials and benchmarks, written
//! with `COPY` (tokio-postgres; diesel-async has no COPY). Statuses, units, lĩnh vực and
//! receipt dates are spread over the last two years; deadlines come from the calendar;
//! each ticket gets its `submitted` event and each answered one its approved reply; the
//! counters and the report aggregates are rebuilt from the rows. No mail is queued.

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::SinkExt;
use rand::Rng;
use rand::seq::IndexedRandom;
use tokio_postgres::NoTls;

use super::seed_story;
use crate::config::Config;
use crate::domain::calendar::{deadlines, local_date};
use crate::domain::fold::fold;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
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

pub async fn run(cfg: &Config, count: u64) -> anyhow::Result<()> {
    crate::app::prepare(cfg).await?;
    let mut conn = crate::db::connect(&cfg.database.url).await?;
    let reference = ReferenceCache::load(&mut conn).await?.get();
    drop(conn);
    let policy = cfg.deadline_policy();
    let (client, connection) = tokio_postgres::connect(&cfg.database.url, NoTls)
        .await
        .context("connecting with tokio-postgres for COPY")?;
    let conn_task = tokio::spawn(connection);

    let officers = demo_users(&client, &reference).await?;
    let fields: Vec<&str> = reference.active_fields().map(|f| f.code.as_str()).collect();
    let categories: Vec<&str> = reference
        .active_categories()
        .map(|c| c.code.as_str())
        .collect();
    let now = Utc::now();
    let window = Duration::days(i64::from(cfg.deadlines.rating_window_days));
    let started = std::time::Instant::now();
    let batch = 50_000u64;
    let mut done = 0u64;
    while done < count {
        let n = batch.min(count - done);
        let mut buf = String::with_capacity(n as usize * 900);
        {
            let mut rng = rand::rng();
            for _ in 0..n {
                let code = TrackingCode::generate(&mut rng);
                let public_id = format!(
                    "{}{}",
                    TrackingCode::generate(&mut rng).as_str(),
                    &TrackingCode::generate(&mut rng).as_str()[..6]
                )
                .to_ascii_lowercase();
                let token: String = (0..43)
                    .map(|_| {
                        *b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                            .choose(&mut rng)
                            .unwrap_or(&b'A') as char
                    })
                    .collect();
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
                let field = *fields.choose(&mut rng).unwrap_or(&"khac");
                let category = *categories.choose(&mut rng).unwrap_or(&"khac");
                let kind = if category == "sang_kien" || rng.random_bool(0.3) {
                    "kien_nghi"
                } else {
                    "phan_anh"
                };
                let subject = SUBJECTS.choose(&mut rng).unwrap_or(&SUBJECTS[0]);
                let title = format!("{subject} tại {place}");
                let received = now - Duration::seconds(rng.random_range(0..(730 * 86_400)));
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
                let due = deadlines(&reference.calendar, &policy, received);
                let route = reference
                    .route(category, field)
                    .context("no handling unit to route demo tickets")?;
                let picked = pick_status(&mut rng, (now - received).num_days());
                let life = Life::of(&mut rng, picked, received, now, window);
                let status = life.status;
                let assignee = (!matches!(
                    status,
                    Status::Submitted | Status::Rejected | Status::OutOfScope
                ))
                .then(|| {
                    officers
                        .iter()
                        .find(|(u, _)| *u == route.unit.id)
                        .map(|(_, id)| *id)
                })
                .flatten();
                let search = fold(&format!("{name} {title} {content} {proposal}"));
                let retention = local_date(received)
                    + Duration::days(365 * i64::from(cfg.privacy.retention_years));
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
                    cfg.privacy.notice_version.clone(),
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
        }
        let sink = client
            .copy_in(
                "COPY tickets (public_id, code, access_token, status, channel, submitter_kind, full_name, address, phone, email, kind, content_category, field_code, dossier_code, title, content, proposal, lang, consent_at, privacy_notice_version, publish_consent, unit_id, routing_rule_id, assignee_id, received_at, accept_due, forward_due, reply_due, answered_at, search_text, retention_until, accepted_at, closed_at, status_before_info, needs_info_due) FROM STDIN",
            )
            .await
            .context("starting COPY")?;
        futures_util::pin_mut!(sink);
        sink.send(bytes::Bytes::from(buf))
            .await
            .context("sending COPY data")?;
        sink.as_mut()
            .finish()
            .await
            .context("finishing COPY (a duplicate code would show here)")?;
        done += n;
        eprintln!("seed-demo: {done}/{count} tickets");
    }
    seed_story::write(&client, &seed_story::copies(SUBJECTS, PLACES)).await?;
    client
        .batch_execute(
            "             DELETE FROM ticket_counters;
             INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
               SELECT unit_id, field_code, status,
                      date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, count(*)
               FROM tickets GROUP BY 1, 2, 3, 4;
             INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
               SELECT unit_id, field_code,
                      CASE WHEN (answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= reply_due
                           THEN 'outcome:on_time' ELSE 'outcome:late' END,
                      date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, count(*)
               FROM tickets WHERE answered_at IS NOT NULL GROUP BY 1, 2, 3, 4;
             INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
               SELECT t.unit_id, t.field_code, 'outcome:rating_' || r.rating,
                      date_trunc('month', t.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 0, count(*)
               FROM ratings r JOIN tickets t ON t.id = r.ticket_id GROUP BY 1, 2, 3, 4;
             ",
        )
        .await
        .context("rebuilding the counters")?;
    // The report aggregates, recomputed set-based from the rows (as the reconciliation),
    // in the order of their days: in a running system each day's counts are written on
    // that day, so a run of days lies on few pages (in hash order a month's edge days
    // of a range report read 45,000 pages: 1.9 s instead of 19 ms).
    // The monthly roll-ups' trigger is off meanwhile (a million delta rows otherwise);
    // they are rebuilt set-based from the daily counts after, all in one transaction
    // (an error drops the connection, which rolls it back with the trigger on).
    client
        .batch_execute(
            "BEGIN; ALTER TABLE report_counts DISABLE TRIGGER report_months_delta;
             DELETE FROM report_counts; DELETE FROM report_months;",
        )
        .await
        .context("emptying the report aggregates")?;
    client
        .execute(
            "INSERT INTO report_counts (basis, day, unit_id, field_code, content_category,
                                        channel, kind, metric, shard, n)
             SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric, 0, n
               FROM pakn_report_truth($1) ORDER BY basis, day",
            &[&i32::try_from(cfg.deadlines.publish_working_days).unwrap_or(2)],
        )
        .await
        .context("rebuilding the report aggregates")?;
    client
        .batch_execute(
            "INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n, folded)
             SELECT basis, month, unit_id, dim, value, metric, n, true
               FROM pakn_report_months_truth() WHERE n <> 0 ORDER BY basis, dim, month;
             ALTER TABLE report_counts ENABLE TRIGGER report_months_delta; COMMIT;",
        )
        .await
        .context("rebuilding the monthly report roll-ups")?;
    // VACUUM (not only ANALYZE): rows loaded by COPY are not yet marked all-visible, and
    // without that the counts over the open tickets' index read the heap (150 ms instead
    // of 2 ms at 1,000,000 tickets). VACUUM cannot run inside the batch's transaction.
    for table in [
        "tickets",
        "ticket_events",
        "replies",
        "ratings",
        "public_answers",
        "ticket_counters",
        "report_counts",
        "report_months",
    ] {
        client
            .batch_execute(&format!("VACUUM (ANALYZE) {table}"))
            .await
            .with_context(|| format!("vacuuming {table}"))?;
    }
    drop(client);
    let _ = conn_task.await;
    eprintln!(
        "seed-demo: {count} tickets in {:.1}s",
        started.elapsed().as_secs_f64()
    );
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
