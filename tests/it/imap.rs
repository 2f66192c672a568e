//! Issue 16, the IMAP poller: messages waiting in a real Dovecot (see
//! `support::dovecot`) are stored in `inbound_mail` (source `imap`), each in its own
//! commit, and only then moved to the done folder; a message stored before (same
//! Message-ID) is moved without a second row; one over the size limit keeps its header;
//! one instance polls at a time (the lease); IDLE brings new mail in at once; the TLS
//! connection is refused when the server's CA is not trusted. What processing makes of
//! the stored messages is tested elsewhere: these tests look at storage and folders.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::config::Config;
use pakn::db::Pool;
use pakn::db::schema::{inbound_mail as im, job_leases};
use pakn::domain::inbound::{InboundOutcome, InboundSource};
use pakn::handling::inbound::poller::{self, LEASE, PollReport, Polled};
use pakn::mail::inbound::imap::{ImapError, Mailbox};
use tokio::sync::Notify;

use crate::support::app::{TestApp, fresh_db, test_config};
use crate::support::dovecot::{DONE, Dovecot};
use crate::support::pg::TestDb;

/// A bound on waits, so a broken build fails instead of hanging; not a timing claim.
const PATIENCE: Duration = Duration::from_secs(30);

/// A database, a pool and a configuration whose poller reads `dovecot` (no app: the
/// tests call the poller themselves, and nothing processes what it stores).
struct Rig {
    db: TestDb,
    pool: Pool,
    cfg: Config,
}

impl Rig {
    async fn new(dovecot: &Dovecot, tweak: impl FnOnce(&mut Config)) -> Rig {
        let db = fresh_db().await;
        let mut cfg = test_config(&db.url);
        cfg.mail.inbound.enabled = true;
        cfg.mail.inbound.imap = dovecot.imap_config();
        tweak(&mut cfg);
        let pool = pakn::db::pool(&db.url, 4).expect("a pool");
        Rig { db, pool, cfg }
    }

    async fn poll(&self, holder: &str) -> Polled {
        poller::poll_once(&self.pool, &self.cfg, holder)
            .await
            .expect("a poll")
    }

    async fn rows(&self) -> Vec<Row> {
        let mut conn = self.pool.get().await.expect("a connection");
        im::table
            .order(im::id)
            .select((im::source, im::raw, im::size, im::outcome))
            .load::<Row>(&mut conn)
            .await
            .expect("inbound rows")
    }

    async fn lease(&self) -> Option<(Option<String>, chrono::DateTime<chrono::Utc>)> {
        let mut conn = self.pool.get().await.expect("a connection");
        job_leases::table
            .filter(job_leases::name.eq(LEASE))
            .select((job_leases::leased_by, job_leases::leased_until))
            .first(&mut conn)
            .await
            .optional()
            .expect("the lease")
    }

    async fn end(self) {
        self.pool.close();
        self.db.drop_db().await;
    }
}

type Row = (InboundSource, Vec<u8>, i32, Option<InboundOutcome>);

/// A message with its own Message-ID.
fn message(subject: &str, body: &str) -> Vec<u8> {
    let id = rand::random::<u64>();
    format!(
        "From: Nguyen Van A <nguyenvana@example.org>\r\nTo: pakn@sonoivu.angiang.gov.vn\r\n\
         Subject: {subject}\r\nMessage-ID: <{id:016x}@example.org>\r\n\
         Date: Fri, 04 Dec 2026 10:00:00 +0700\r\nContent-Type: text/plain; charset=utf-8\r\n\
         \r\n{body}\r\n"
    )
    .into_bytes()
}

/// Waits until `check` holds; panics after [`PATIENCE`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn waiting_messages_are_stored_then_moved_to_the_done_folder() {
    let dovecot = Dovecot::start().await;
    let rig = Rig::new(&dovecot, |_| {}).await;
    let sent: Vec<Vec<u8>> = (1..=3)
        .map(|n| message(&format!("Góp ý số {n}"), &format!("Nội dung {n}")))
        .collect();
    for raw in &sent {
        dovecot.append("INBOX", raw).await;
    }

    let polled = rig.poll("test-instance").await;

    assert_eq!(
        polled,
        Polled::Done(PollReport {
            stored: 3,
            duplicates: 0,
            moved: 3
        })
    );
    let rows = rig.rows().await;
    assert_eq!(rows.len(), 3);
    for ((source, raw, size, outcome), sent) in rows.iter().zip(&sent) {
        assert_eq!(*source, InboundSource::Imap);
        assert_eq!(raw, sent, "stored whole, byte for byte");
        assert_eq!(*size as usize, sent.len());
        assert_eq!(*outcome, None, "not processed by the poller");
    }
    assert_eq!(dovecot.count("INBOX").await, 0, "the folder is empty");
    assert_eq!(
        dovecot.messages(DONE).await,
        sent,
        "the done folder holds them"
    );
    // Nothing waits any more: the next pass does nothing.
    assert_eq!(
        rig.poll("test-instance").await,
        Polled::Done(PollReport::default())
    );
    assert_eq!(rig.rows().await.len(), 3);
    rig.end().await;
}

#[tokio::test]
async fn a_message_stored_before_is_moved_without_a_second_row() {
    let dovecot = Dovecot::start().await;
    let rig = Rig::new(&dovecot, |_| {}).await;
    let twice = message("Gửi hai lần", "Cùng một Message-ID");
    let crashed = message("Đã lưu trước khi dừng", "Lưu rồi, chưa chuyển");
    dovecot.append("INBOX", &twice).await;
    dovecot.append("INBOX", &twice).await;
    // A poller that stored this one and crashed before moving it.
    dovecot.append("INBOX", &crashed).await;
    {
        let mut conn = rig.pool.get().await.expect("a connection");
        let stored = pakn::handling::inbound::store(
            &mut conn,
            &rig.cfg,
            InboundSource::Imap,
            &crashed,
            crashed.len(),
        )
        .await
        .expect("store");
        assert!(matches!(stored, pakn::handling::inbound::Stored::New(_)));
    }

    let polled = rig.poll("test-instance").await;

    assert_eq!(
        polled,
        Polled::Done(PollReport {
            stored: 1,
            duplicates: 2,
            moved: 3
        })
    );
    let raws: Vec<Vec<u8>> = rig.rows().await.into_iter().map(|r| r.1).collect();
    assert_eq!(raws, vec![crashed.clone(), twice.clone()], "one row each");
    assert_eq!(dovecot.count("INBOX").await, 0);
    assert_eq!(
        dovecot.messages(DONE).await,
        vec![twice.clone(), twice, crashed],
        "every copy moved"
    );
    rig.end().await;
}

#[tokio::test]
async fn a_message_over_the_limit_is_stored_as_its_header() {
    let dovecot = Dovecot::start().await;
    let rig = Rig::new(&dovecot, |cfg| cfg.mail.inbound.max_bytes = 4096).await;
    let big = message("Tệp rất lớn", &"Nội dung dài. ".repeat(1000));
    let small = message("Góp ý ngắn", "Ngắn");
    assert!(big.len() > 4096 && small.len() < 4096);
    dovecot.append("INBOX", &big).await;
    dovecot.append("INBOX", &small).await;

    let polled = rig.poll("test-instance").await;

    assert!(matches!(polled, Polled::Done(r) if r.stored == 2 && r.moved == 2));
    let rows = rig.rows().await;
    assert_eq!(rows.len(), 2);
    let header_end = big
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header")
        + 4;
    let (source, raw, size, outcome) = &rows[0];
    assert_eq!(*source, InboundSource::Imap);
    assert_eq!(
        raw.as_slice(),
        &big[..header_end],
        "only the header is kept"
    );
    assert_eq!(*size as usize, big.len(), "the full size is recorded");
    assert_eq!(*outcome, Some(InboundOutcome::TooLarge));
    assert_eq!(rows[1].1, small, "the small one is kept whole");
    assert_eq!(rows[1].3, None);
    assert_eq!(dovecot.count("INBOX").await, 0);
    assert_eq!(
        dovecot.messages(DONE).await,
        vec![big, small],
        "the large one is moved whole"
    );
    rig.end().await;
}

#[tokio::test]
async fn a_held_lease_keeps_poll_once_out_until_it_expires() {
    let dovecot = Dovecot::start().await;
    let rig = Rig::new(&dovecot, |_| {}).await;
    dovecot.append("INBOX", &message("Chờ", "Chờ")).await;
    {
        let mut conn = rig.pool.get().await.expect("a connection");
        let taken = pakn::db::workflow::take_lease(&mut conn, LEASE, "other-instance", 600)
            .await
            .expect("take the lease");
        assert!(taken);
    }

    assert_eq!(rig.poll("this-instance").await, Polled::Busy);
    assert!(rig.rows().await.is_empty(), "nothing stored");
    assert_eq!(dovecot.count("INBOX").await, 1, "nothing moved");

    // The other instance crashed: its lease runs out.
    {
        let mut conn = rig.pool.get().await.expect("a connection");
        diesel::update(job_leases::table.filter(job_leases::name.eq(LEASE)))
            .set(job_leases::leased_until.eq(chrono::Utc::now() - chrono::TimeDelta::seconds(1)))
            .execute(&mut conn)
            .await
            .expect("expire the lease");
    }
    let polled = rig.poll("this-instance").await;
    assert!(matches!(polled, Polled::Done(r) if r.stored == 1 && r.moved == 1));
    assert_eq!(dovecot.count("INBOX").await, 0);
    let (by, until) = rig.lease().await.expect("a lease row");
    assert_eq!(by.as_deref(), Some("this-instance"));
    assert!(until <= chrono::Utc::now(), "given back after the pass");
    rig.end().await;
}

#[tokio::test]
async fn of_two_pollers_one_holds_the_lease_and_the_other_takes_over_when_it_dies() {
    let dovecot = Dovecot::start().await;
    // Short waits, so that the second poller asks for the lease every second.
    let rig = Rig::new(&dovecot, |cfg| cfg.mail.inbound.imap.poll_secs = 1).await;
    let cfg = Arc::new(rig.cfg.clone());
    let wake = Arc::new(Notify::new());
    let spawn = |holder: &'static str| {
        let (pool, cfg, wake) = (rig.pool.clone(), Arc::clone(&cfg), Arc::clone(&wake));
        tokio::spawn(async move { poller::run(&pool, &cfg, &wake, holder).await })
    };
    let mut tasks = vec![
        ("poller-a", spawn("poller-a")),
        ("poller-b", spawn("poller-b")),
    ];
    for n in 1..=3 {
        dovecot
            .append("INBOX", &message(&format!("Thư {n}"), "…"))
            .await;
    }
    eventually("three stored", || async { rig.rows().await.len() == 3 }).await;
    eventually("the folder emptied", || async {
        dovecot.count("INBOX").await == 0
    })
    .await;
    assert_eq!(dovecot.count(DONE).await, 3);

    // One holder, and it stays the holder while the other keeps asking (3 s, three
    // tries of the other); only the holder ever logged in to the IMAP server.
    let (holder, _) = rig.lease().await.expect("a lease");
    let holder = holder.expect("a holder");
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        let (by, leased_until) = rig.lease().await.expect("a lease");
        assert_eq!(
            by.as_deref(),
            Some(holder.as_str()),
            "the lease never changes hands"
        );
        assert!(leased_until > chrono::Utc::now(), "held, not expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eventually("the holder's login in Dovecot's log", || async {
        dovecot.poller_logins() >= 1
    })
    .await;
    assert_eq!(dovecot.poller_logins(), 1, "one poller connected, once");

    // The holder dies; once its lease has run out the other one polls.
    let i = tasks
        .iter()
        .position(|(h, _)| *h == holder)
        .expect("a task");
    let (_, dead) = tasks.remove(i);
    dead.abort();
    let _ = dead.await;
    {
        let mut conn = rig.pool.get().await.expect("a connection");
        diesel::update(job_leases::table.filter(job_leases::name.eq(LEASE)))
            .set(job_leases::leased_until.eq(chrono::Utc::now() - chrono::TimeDelta::seconds(1)))
            .execute(&mut conn)
            .await
            .expect("expire the lease");
    }
    dovecot.append("INBOX", &message("Thư 4", "…")).await;
    eventually("the fourth stored", || async {
        rig.rows().await.len() == 4
    })
    .await;
    let (by, _) = rig.lease().await.expect("a lease");
    assert_eq!(
        by.as_deref(),
        Some(tasks[0].0),
        "the survivor holds the lease"
    );
    eventually(
        "the survivor connected (its login in Dovecot's log)",
        || async { dovecot.poller_logins() == 2 },
    )
    .await;
    eventually("the folder emptied", || async {
        dovecot.count("INBOX").await == 0
    })
    .await;
    for (_, task) in tasks {
        task.abort();
    }
    rig.end().await;
}

#[tokio::test]
async fn with_idle_a_message_appended_while_the_app_waits_is_stored_at_once() {
    let dovecot = Dovecot::start().await;
    // The app's own poller (spawned with the background work), polling every 600 s:
    // only IDLE brings a new message in within the test. Automatic mail, so that its
    // processing sends nothing.
    let app = TestApp::spawn_with(|cfg| {
        cfg.mail.inbound.enabled = true;
        cfg.mail.inbound.imap = dovecot.imap_config();
    })
    .await;
    let count = || async {
        let mut conn = app.conn().await;
        im::table
            .filter(im::source.eq(InboundSource::Imap))
            .count()
            .get_result::<i64>(&mut conn)
            .await
            .expect("count")
    };
    let auto = |subject: &str| {
        let raw = message(subject, "Tôi đang nghỉ phép.");
        let mut with_header = b"Auto-Submitted: auto-replied\r\n".to_vec();
        with_header.extend_from_slice(&raw);
        with_header
    };
    dovecot.append("INBOX", &auto("Vắng mặt 1")).await;
    eventually("the first stored", || async { count().await == 1 }).await;
    eventually("the first moved", || async {
        dovecot.count(DONE).await == 1
    })
    .await;

    // The poller now waits in IDLE.
    dovecot.append("INBOX", &auto("Vắng mặt 2")).await;
    let started = Instant::now();
    eventually("the second stored", || async { count().await == 2 }).await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "brought in by IDLE, not by the 600 s poll"
    );
    eventually("the second moved", || async {
        dovecot.count(DONE).await == 2
    })
    .await;
    assert_eq!(dovecot.count("INBOX").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_tls_connection_is_refused_when_the_ca_is_not_trusted() {
    let dovecot = Dovecot::start().await;
    let raw = message("Không tin", "…");
    dovecot.append("INBOX", &raw).await;

    // Trusting another CA, and trusting the system's roots only.
    for ca_file in [dovecot.other_ca_file.display().to_string(), String::new()] {
        let mut imap = dovecot.imap_config();
        imap.ca_file = ca_file;
        let refused = Mailbox::open(&imap).await.err();
        assert!(
            matches!(refused, Some(ImapError::Tls(_))),
            "a TLS error, got {refused:?}"
        );
    }

    // The poller with that configuration stores nothing, moves nothing, and gives the
    // lease back.
    let rig = Rig::new(&dovecot, |cfg| {
        cfg.mail.inbound.imap.ca_file = dovecot.other_ca_file.display().to_string();
    })
    .await;
    let failed = poller::poll_once(&rig.pool, &rig.cfg, "test-instance").await;
    assert!(failed.is_err(), "the pass fails");
    assert!(rig.rows().await.is_empty());
    assert_eq!(dovecot.messages("INBOX").await, vec![raw]);
    let (_, until) = rig.lease().await.expect("a lease row");
    assert!(until <= chrono::Utc::now(), "the lease is given back");
    rig.end().await;
}

#[tokio::test]
async fn pakn_mail_poll_stores_and_moves_what_waits() {
    let dovecot = Dovecot::start().await;
    let rig = Rig::new(&dovecot, |_| {}).await;
    let raw = message("Qua lệnh", "…");
    dovecot.append("INBOX", &raw).await;
    let imap = dovecot.imap_config();

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_pakn"))
        .args(["mail", "poll"])
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &rig.db.url)
        .env("PAKN_MAIL__INBOUND__ENABLED", "true")
        .env("PAKN_MAIL__INBOUND__IMAP__HOST", &imap.host)
        .env("PAKN_MAIL__INBOUND__IMAP__PORT", imap.port.to_string())
        .env("PAKN_MAIL__INBOUND__IMAP__CA_FILE", &imap.ca_file)
        .env("PAKN_MAIL__INBOUND__IMAP__USERNAME", &imap.username)
        .env("PAKN_MAIL__INBOUND__IMAP__PASSWORD", &imap.password)
        .output();
    let out = tokio::time::timeout(PATIENCE, out)
        .await
        .expect("pakn mail poll ends")
        .expect("pakn mail poll runs");

    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("stored: 1, duplicates: 0, moved: 1"),
        "{stdout}"
    );
    let rows = rig.rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, InboundSource::Imap);
    assert_eq!(rows[0].1, raw);
    assert_eq!(dovecot.count("INBOX").await, 0);
    assert_eq!(dovecot.messages(DONE).await, vec![raw]);
    rig.end().await;
}

#[tokio::test]
async fn without_move_a_message_is_copied_then_expunged() {
    // Servers that do not offer MOVE (Dovecot told to hide it), with UIDPLUS (UID
    // EXPUNGE) and without (EXPUNGE); neither offers IDLE.
    for capabilities in ["IMAP4rev1 LITERAL+ UIDPLUS", "IMAP4rev1 LITERAL+"] {
        let dovecot = Dovecot::start_with(&format!("imap_capability = {capabilities}")).await;
        let rig = Rig::new(&dovecot, |_| {}).await;
        let sent = vec![message("Thư 1", "…"), message("Thư 2", "…")];
        for raw in &sent {
            dovecot.append("INBOX", raw).await;
        }
        {
            let mailbox = Mailbox::open(&dovecot.imap_config()).await.expect("open");
            assert!(!mailbox.can_idle(), "{capabilities}: IDLE hidden");
            mailbox.logout().await;
        }

        let polled = rig.poll("test-instance").await;

        assert!(
            matches!(polled, Polled::Done(r) if r.stored == 2 && r.moved == 2),
            "{capabilities}: {polled:?}"
        );
        assert_eq!(rig.rows().await.len(), 2);
        assert_eq!(dovecot.count("INBOX").await, 0, "{capabilities}: expunged");
        assert_eq!(dovecot.messages(DONE).await, sent, "{capabilities}: copied");
        rig.end().await;
    }
}

#[tokio::test]
async fn without_idle_the_poller_looks_every_poll_secs() {
    // A server without IDLE, and `idle = false` on one with it.
    for (extra, idle) in [
        ("imap_capability = IMAP4rev1 LITERAL+ UIDPLUS MOVE", true),
        ("", false),
    ] {
        let dovecot = Dovecot::start_with(extra).await;
        let rig = Rig::new(&dovecot, |cfg| {
            cfg.mail.inbound.imap.poll_secs = 1;
            cfg.mail.inbound.imap.idle = idle;
        })
        .await;
        let wake = Arc::new(Notify::new());
        let task = {
            let (pool, cfg, wake) = (rig.pool.clone(), rig.cfg.clone(), Arc::clone(&wake));
            tokio::spawn(async move { poller::run(&pool, &cfg, &wake, "poller").await })
        };
        for n in 1..=2 {
            let woken = wake.notified();
            dovecot
                .append("INBOX", &message(&format!("Thư {n}"), "…"))
                .await;
            eventually("stored", || async { rig.rows().await.len() == n }).await;
            tokio::time::timeout(PATIENCE, woken)
                .await
                .expect("the processing pass is woken");
        }
        eventually("moved", || async { dovecot.count(DONE).await == 2 }).await;
        assert_eq!(dovecot.count("INBOX").await, 0);
        task.abort();
        let _ = task.await;
        rig.end().await;
    }
}

#[tokio::test]
async fn without_tls_on_loopback_the_poller_works_too() {
    let dovecot = Dovecot::start().await;
    let rig = Rig::new(&dovecot, |cfg| {
        cfg.mail.inbound.imap.security = pakn::config::ImapSecurity::None;
        cfg.mail.inbound.imap.port = dovecot.plain_port;
    })
    .await;
    let raw = message("Không mã hoá", "…");
    dovecot.append("INBOX", &raw).await;

    let polled = rig.poll("test-instance").await;

    assert!(matches!(polled, Polled::Done(r) if r.stored == 1 && r.moved == 1));
    assert_eq!(rig.rows().await[0].1, raw);
    assert_eq!(dovecot.messages(DONE).await, vec![raw]);
    rig.end().await;
}
