//! Issue 2: the `pakn` binary as an operator runs it: configuration errors, migrations,
//! several instances starting at once, graceful shutdown, logs without personal data,
//! seed-demo.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{outbox, tickets};
use tokio::process::{Child, Command};

use crate::filing::{form_of, post_held_back, token_of, valid_fields};
use crate::support::outbox::{MailStatus, all_rows, filing_mail};
use crate::support::{count, pg};

const BIN: &str = env!("CARGO_BIN_EXE_pakn");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The URL of a database that does not exist yet on the test server.
async fn new_db_url() -> (String, String) {
    let admin = pg::server_admin_url().await;
    let name = pg::fresh_db_name();
    let mut url = url::Url::parse(&admin).expect("admin url");
    url.set_path(&format!("/{name}"));
    (url.to_string(), name)
}

async fn drop_db(name: &str) {
    let admin = pg::server_admin_url().await;
    let mut conn = pakn::db::connect(&admin).await.expect("admin connection");
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await;
}

fn pakn(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env_remove("PAKN_CONFIG")
        .env(
            "PAKN_MAIL__DIR",
            std::env::temp_dir().join(format!("pakn-cli-mail-{}", rand::random::<u64>())),
        )
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

async fn start_server(db_url: &str, extra_env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let log = std::env::temp_dir().join(format!("pakn-serve-{port}-{}.log", rand::random::<u32>()));
    let file = std::fs::File::create(&log).expect("log file");
    let mut cmd = pakn(&["serve"]);
    cmd.env("PAKN_DATABASE__URL", db_url)
        .env("PAKN_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "PAKN_SERVER__PUBLIC_URL",
            format!("http://127.0.0.1:{port}"),
        )
        .env("PAKN_SPAM__MIN_FILL_SECS", "0")
        .stdout(Stdio::null())
        .stderr(file);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("spawn pakn serve");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
    }
}

async fn wait_healthy(server: &Server) {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(res) = client.get(format!("{}/healthz", server.base)).send().await
            && res.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "pakn serve did not come up: {}",
        std::fs::read_to_string(&server.log).unwrap_or_default()
    );
}

fn sigterm(child: &Child) {
    let pid = child.id().expect("a running child");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn config_errors_stop_start_up_naming_the_key() {
    for (var, value, key) in [
        ("PAKN_SERVER__LISTEN", "not-an-address", "server.listen"),
        ("PAKN_MAIL__TRANSPORT", "carrier-pigeon", "mail.transport"),
        (
            "PAKN_DEADLINES__REPLY_DAYS",
            "twenty",
            "deadlines.reply_days",
        ),
    ] {
        let out = pakn(&["check-config"])
            .env(var, value)
            .output()
            .await
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{var}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(key), "{var}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
    }
    let out = pakn(&["check-config"]).output().await.expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = pakn(&["--config", "/nonexistent/pakn.toml", "check-config"])
        .output()
        .await
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// Runs `pakn args` on the database at `url`, asserts that it succeeded, and returns
/// what it said on stderr.
async fn run_on(url: &str, args: &[&str]) -> String {
    let out = pakn(args)
        .env("PAKN_DATABASE__URL", url)
        .output()
        .await
        .expect("run");
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{said}");
    said
}

#[tokio::test(flavor = "multi_thread")]
async fn migrating_twice_is_a_no_op() {
    let (url, name) = new_db_url().await;
    for _ in 0..2 {
        run_on(&url, &["migrate"]).await;
    }
    let mut conn = pakn::db::connect(&url).await.expect("connect");
    assert_eq!(
        pakn::db::setup::migrate(&url).await.expect("migrate"),
        0,
        "nothing left to run"
    );
    let units: i64 = pakn::db::schema::units::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("units");
    assert_eq!(units, 4, "the seed applied once");
    drop(conn);
    drop_db(&name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_starting_on_an_empty_server_both_come_up() {
    let (url, name) = new_db_url().await;
    let a = start_server(&url, &[]).await;
    let b = start_server(&url, &[]).await;
    wait_healthy(&a).await;
    wait_healthy(&b).await;
    let mut conn = pakn::db::connect(&url).await.expect("connect");
    let rules: i64 = pakn::db::schema::routing_rules::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("rules");
    assert_eq!(rules, 4, "the seed applied exactly once");
    drop(conn);
    for mut s in [a, b] {
        sigterm(&s.child);
        let _ = tokio::time::timeout(Duration::from_secs(10), s.child.wait()).await;
    }
    drop_db(&name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_a_post_lets_it_finish_and_logs_carry_no_personal_data() {
    let (url, name) = new_db_url().await;
    let mut server = start_server(&url, &[("PAKN_LOG", "debug")]).await;
    wait_healthy(&server).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let html = client
        .get(format!("{}/feedback/new", server.base))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let token = token_of(&html);
    let (request, tx) = post_held_back(client, format!("{}/feedback", server.base), &token);
    tokio::time::sleep(Duration::from_millis(500)).await;
    sigterm(&server.child);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = tx.send(());
    let res = request.await.expect("task").expect("the POST completes");
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let status = tokio::time::timeout(Duration::from_secs(15), server.child.wait())
        .await
        .expect("the server stops after the request")
        .expect("wait");
    assert!(status.success(), "clean exit");
    let mut conn = pakn::db::connect(&url).await.expect("connect");
    let count: i64 = tickets::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(count, 1, "the PAKN was filed");
    // The filing's mail was queued with it; sent or left for the next start, none failed.
    let mail = all_rows(&mut conn).await;
    assert_eq!(mail.who(), filing_mail());
    assert!(
        mail.with_status(MailStatus::Failed).is_empty(),
        "{}",
        mail.lines()
    );
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(log.contains("/feedback"), "the route is logged: {log}");
    // The phone whole and as typed: four digits alone turn up in the logs' timestamps
    // (".190983Z").
    for secret in [
        "0983570009",
        "0983 570 009",
        "570 009",
        "hoa.nguyen",
        "Hoà",
        "Hoa",
        "Trần Hưng Đạo",
        "Chậm giải quyết",
        &token,
    ] {
        assert!(!log.contains(secret), "the log leaks {secret:?}: {log}");
    }
    drop(conn);
    drop_db(&name).await;
}

async fn count_of(conn: &mut diesel_async::AsyncPgConnection, query: &str) -> i64 {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "({query})"
    )))
    .get_result(conn)
    .await
    .unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// What a newcomer sees on the seeded PAKN (issue 17): a question where information is
/// asked, a reason where a PAKN was refused, a draft where approval waits, a timeline
/// beyond "submitted" for answers, ratings and published answers, and no date ahead.
async fn demo_history_agrees_with_the_screens(conn: &mut diesel_async::AsyncPgConnection) {
    let missing = [
        (
            "needs_info without its question",
            "SELECT count(*) FROM tickets t WHERE status = 'needs_info' AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.event = 'ask_info' AND e.public AND length(e.body) > 20)",
        ),
        (
            "rejected without its reason",
            "SELECT count(*) FROM tickets t WHERE status = 'rejected' AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.event = 'reject' AND length(e.body) > 20)",
        ),
        (
            "out of scope without the competent body",
            "SELECT count(*) FROM tickets t WHERE status = 'out_of_scope' AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.event = 'out_of_scope' AND e.data ? 'competent_body')",
        ),
        (
            "pending approval without a draft",
            "SELECT count(*) FROM tickets t WHERE status = 'pending_approval' AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.ticket_id = t.id AND r.state = 'pending')",
        ),
        (
            "answered without accept and approve events",
            "SELECT count(*) FROM tickets t WHERE answered_at IS NOT NULL AND (SELECT count(DISTINCT event) FROM ticket_events e WHERE e.ticket_id = t.id AND e.event IN ('accept', 'start_work', 'approve')) < 3",
        ),
        (
            "a ticket without its submitted event",
            "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.event = 'submitted')",
        ),
        (
            "an answer the automatic moves would close at start",
            "SELECT count(*) FROM tickets WHERE status = 'answered' AND answered_at < now() - interval '30 days'",
        ),
        (
            "an ended PAKN without its end",
            "SELECT count(*) FROM tickets WHERE status IN ('rejected', 'out_of_scope', 'transferred', 'closed') AND closed_at IS NULL",
        ),
        (
            "a timeline that goes back in time (read in the order of its ids)",
            "SELECT count(*) FROM (SELECT at < lag(at) OVER (PARTITION BY ticket_id ORDER BY id) AS back FROM ticket_events) e WHERE back",
        ),
        (
            "a date in the future",
            "SELECT (SELECT count(*) FROM tickets WHERE greatest(received_at, accepted_at, answered_at, closed_at) > now()) + (SELECT count(*) FROM ticket_events WHERE at > now()) + (SELECT count(*) FROM replies WHERE coalesce(decided_at, created_at) > now() OR reply_date > (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) + (SELECT count(*) FROM ratings WHERE at > now()) + (SELECT count(*) FROM public_answers WHERE published_at > now())",
        ),
    ];
    for (what, query) in missing {
        assert_eq!(count_of(conn, query).await, 0, "{what}");
    }
    for (what, query) in [
        (
            "needs_info",
            "SELECT count(*) FROM tickets WHERE status = 'needs_info'",
        ),
        (
            "rejected",
            "SELECT count(*) FROM tickets WHERE status = 'rejected'",
        ),
        (
            "pending_approval",
            "SELECT count(*) FROM tickets WHERE status = 'pending_approval'",
        ),
        (
            "closed",
            "SELECT count(*) FROM tickets WHERE status = 'closed'",
        ),
        (
            "satisfied ratings",
            "SELECT count(*) FROM ratings WHERE rating = 'satisfied'",
        ),
        (
            "neutral ratings",
            "SELECT count(*) FROM ratings WHERE rating = 'neutral'",
        ),
        (
            "unsatisfied ratings",
            "SELECT count(*) FROM ratings WHERE rating = 'unsatisfied'",
        ),
        (
            "rating counters",
            "SELECT coalesce(sum(n), 0)::bigint FROM ticket_counters WHERE status LIKE 'outcome:rating_%'",
        ),
        (
            "published answers",
            "SELECT count(*) FROM public_answers WHERE published_at IS NOT NULL",
        ),
    ] {
        assert!(count_of(conn, query).await > 0, "the demo has {what}");
    }
    assert_eq!(
        count_of(conn, "SELECT count(*) FROM ratings").await,
        count_of(conn, "SELECT coalesce(sum(n), 0)::bigint FROM ticket_counters WHERE status LIKE 'outcome:rating_%'").await,
        "the rating counters match the ratings"
    );
    // The public copies carry none of the sender's details.
    assert_eq!(
        count_of(conn, "SELECT count(*) FROM public_answers p JOIN tickets t ON t.id = p.ticket_id WHERE p.question LIKE '%' || t.full_name || '%' OR p.answer LIKE '%' || t.phone || '%'").await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_demo_makes_n_tickets_with_unique_codes_and_no_pending_mail() {
    let (url, name) = new_db_url().await;
    run_on(&url, &["seed-demo", "--tickets", "3000"]).await;
    let mut conn = pakn::db::connect(&url).await.expect("connect");
    let total: i64 = tickets::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    let codes: i64 = tickets::table
        .select(tickets::code)
        .distinct()
        .count()
        .get_result(&mut conn)
        .await
        .expect("codes");
    assert_eq!((total, codes), (3000, 3000));
    let mail: i64 = outbox::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("outbox");
    assert_eq!(mail, 0, "no mail queued");
    let counted: i64 = pakn::db::counters::totals_by_status(&mut conn)
        .await
        .expect("counters")
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(counted, 3000, "the counters match the rows");
    // Every answered PAKN has its approved reply, so its track page shows the answer
    // and the citizen can rate it.
    let answered: i64 = tickets::table
        .filter(tickets::answered_at.is_not_null())
        .count()
        .get_result(&mut conn)
        .await
        .expect("answered");
    let replied: i64 = pakn::db::schema::replies::table
        .filter(pakn::db::schema::replies::state.eq("approved"))
        .select(pakn::db::schema::replies::ticket_id)
        .distinct()
        .count()
        .get_result(&mut conn)
        .await
        .expect("replies");
    assert!(answered > 1000, "{answered}");
    assert_eq!(replied, answered);
    demo_history_agrees_with_the_screens(&mut conn).await;
    // The report aggregates are rebuilt with their primary key dropped and built again:
    // the key is back, and the reconciliation finds nothing to repair.
    let keys = count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_constraint \
         WHERE conrelid = 'report_counts'::regclass AND contype = 'p'",
    )
    .await;
    assert_eq!(keys, 1, "report_counts has its primary key again");
    // The rebuild counts as tonight's reconciliation: the first server does not compute
    // it all again.
    let reconciled = count_of(
        &mut conn,
        &format!(
            "SELECT count(*) FROM job_leases WHERE name = '{}' \
             AND last_run_at > now() - interval '1 hour'",
            pakn::handling::report_reconcile::LEASE
        ),
    )
    .await;
    assert_eq!(
        reconciled, 1,
        "the seed recorded as tonight's reconciliation"
    );
    let out = pakn(&["reports", "reconcile"])
        .env("PAKN_DATABASE__URL", &url)
        .output()
        .await
        .expect("run");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("fixed: 0\n"), "{said}");
    assert!(said.contains("compacted: 0\n"), "{said}");
    drop(conn);
    drop_db(&name).await;
}

/// The secondary indexes of `tickets` and `ticket_events`, by name.
async fn secondary_indexes(conn: &mut diesel_async::AsyncPgConnection) -> Vec<String> {
    diesel::sql_query(
        "SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         WHERE i.indrelid IN ('tickets'::regclass, 'ticket_events'::regclass) \
           AND NOT i.indisunique AND NOT i.indisprimary ORDER BY 1",
    )
    .load::<IndexName>(conn)
    .await
    .expect("indexes")
    .into_iter()
    .map(|r| r.name)
    .collect()
}

#[derive(diesel::QueryableByName)]
struct IndexName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_seed_rebuilds_the_indexes_it_dropped_and_one_cut_short_is_repaired() {
    let (url, name) = new_db_url().await;
    let seed = async |n: &str, jobs: &str| {
        run_on(&url, &["seed-demo", "--tickets", n, "--jobs", jobs]).await
    };
    // A first seed into an empty database loads in bulk, through three connections.
    let said = seed("1500", "3").await;
    assert!(said.contains("secondary indexes dropped"), "{said}");
    let mut conn = pakn::db::connect(&url).await.expect("connect");
    let indexes = secondary_indexes(&mut conn).await;
    assert!(indexes.len() >= 20, "{indexes:?}");
    assert!(indexes.contains(&"tickets_search".to_string()));
    assert!(indexes.contains(&"ticket_events_ticket".to_string()));
    assert_eq!(
        count_of(
            &mut conn,
            "SELECT count(*) FROM pg_class WHERE relname = 'seed_demo_indexes'"
        )
        .await,
        0,
        "the list of dropped indexes is gone"
    );
    // Every PAKN has exactly one "submitted" event, whichever connection wrote it.
    assert_eq!(
        count_of(
            &mut conn,
            "SELECT count(*) FROM ticket_events WHERE event = 'submitted'"
        )
        .await,
        1500
    );
    // A seed cut short after dropping two indexes left its list behind.
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut conn,
        "CREATE TABLE seed_demo_indexes (name text PRIMARY KEY, def text NOT NULL); \
         INSERT INTO seed_demo_indexes SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_class c \
          WHERE c.relname IN ('tickets_phone', 'ticket_events_ticket'); \
         DROP INDEX tickets_phone; DROP INDEX ticket_events_ticket",
    )
    .await
    .expect("a seed cut short");
    // The next seed (adding fewer PAKN than there are: no bulk load) repairs it first.
    let said = seed("200", "2").await;
    assert!(said.contains("stopped half-way"), "{said}");
    assert!(!said.contains("secondary indexes dropped"), "{said}");
    assert_eq!(secondary_indexes(&mut conn).await, indexes);
    assert_eq!(
        count_of(
            &mut conn,
            "SELECT count(*) FROM ticket_events WHERE event = 'submitted'"
        )
        .await,
        1700
    );
    assert_eq!(
        count_of(&mut conn, "SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE event = 'submitted' GROUP BY 1 HAVING count(*) > 1) d").await,
        0,
        "no history written twice"
    );
    drop(conn);
    drop_db(&name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submission_through_the_binary_is_idempotent_too() {
    // Guards the public contract: POST /feedback → 303 → /t/{token}.
    let (url, name) = new_db_url().await;
    let mut server = start_server(&url, &[]).await;
    wait_healthy(&server).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let html = client
        .get(format!("{}/feedback/new", server.base))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let token = token_of(&html);
    let mut locations = Vec::new();
    for _ in 0..2 {
        let res = client
            .post(format!("{}/feedback", server.base))
            .multipart(form_of(&valid_fields(&token)))
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
        locations.push(
            res.headers()["location"]
                .to_str()
                .expect("location")
                .to_string(),
        );
    }
    assert_eq!(locations[0], locations[1]);
    sigterm(&server.child);
    let _ = tokio::time::timeout(Duration::from_secs(10), server.child.wait()).await;
    // One filing, so one acknowledgement and one notification; none failed.
    let mut conn = pakn::db::connect(&url).await.expect("connect");
    let mail = all_rows(&mut conn).await;
    assert_eq!(mail.who(), filing_mail());
    assert!(
        mail.with_status(MailStatus::Failed).is_empty(),
        "{}",
        mail.lines()
    );
    drop(conn);
    drop_db(&name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_of_a_staff_search_holds_no_query_text() {
    let (url, name) = new_db_url().await;
    let out = pakn(&[
        "user",
        "add",
        "--email",
        "lanhdao@sonoivu.vn",
        "--name",
        "Lãnh đạo",
        "--role",
        "leader",
    ])
    .env("PAKN_DATABASE__URL", &url)
    .env("PAKN_PASSWORD", "mật khẩu đủ dài 2026")
    .output()
    .await
    .expect("user add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The password alone signs the leader in: no second factor required here.
    let mut server = start_server(
        &url,
        &[("PAKN_LOG", "debug"), ("PAKN_AUTH__SECOND_FACTOR", "")],
    )
    .await;
    wait_healthy(&server).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    let html = client
        .get(format!("{}/staff/login", server.base))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let token = token_of(&html);
    let res = client
        .post(format!("{}/staff/login", server.base))
        .form(&[
            ("email", "lanhdao@sonoivu.vn"),
            ("password", "mật khẩu đủ dài 2026"),
            ("form_token", token.as_str()),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    for q in ["Nguyễn Thị Hoà", "0983570009", "bí mật riêng tư"] {
        let res = client
            .get(format!("{}/staff/tickets", server.base))
            .query(&[("q", q)])
            .send()
            .await
            .expect("search");
        assert_eq!(res.status(), reqwest::StatusCode::OK);
    }
    sigterm(&server.child);
    let _ = tokio::time::timeout(Duration::from_secs(10), server.child.wait()).await;
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(log.contains("/staff/tickets"), "the route is logged");
    for secret in [
        "Nguy",
        "Hoà",
        "Hoa",
        "0983570009",
        "bí mật",
        "bi+m",
        "q=",
        "lanhdao@",
    ] {
        assert!(!log.contains(secret), "the log leaks {secret:?}: {log}");
    }
    drop_db(&name).await;
}
