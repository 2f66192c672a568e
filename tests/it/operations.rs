//! Issue 19's metrics and logs: `/metrics` parsed as Prometheus text with its counters
//! moving as requests are made, shut behind its token; and `pakn serve` writing JSON
//! lines off a terminal, without ANSI codes or personal data, each request's lines
//! carrying its id (a trusted proxy's, or one of its own).

use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::process::Command;

use crate::filing::{file_one, form_of, token_of, valid_fields};
use crate::support::app::TestApp;
use crate::support::pg;

const BIN: &str = env!("CARGO_BIN_EXE_pakn");
const TOKEN: &str = "metrics-token-for-the-tests-0123456789";

/// The value of the sample `name` whose labels include all of `labels` (0 when absent).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            prometheus_parse::Value::Histogram(ref buckets) => {
                buckets.last().map(|b| b.count).unwrap_or(0.0)
            }
            _ => 0.0,
        })
        .sum()
}

async fn scrape(app: &TestApp) -> String {
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/plain; version=0.0.4")
    );
    res.text().await.expect("body")
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_prometheus_text_behind_a_token_and_move_with_requests() {
    let app = TestApp::spawn_with(|c| c.metrics.token = TOKEN.into()).await;
    let bare = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("GET");
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("metrics-token-for-the-tests-000000000")
        .send()
        .await
        .expect("GET");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    // The recorder is the process's: other tests' apps count too, so compare deltas.
    let before = scrape(&app).await;
    let form = [("route", "/feedback/new"), ("status", "200")];
    let form_before = sample(&before, "pakn_http_requests_total", &form);
    let filed_before = sample(&before, "pakn_tickets_filed_total", &[("channel", "web")]);
    for _ in 0..3 {
        let res = app
            .client
            .get(app.url("/feedback/new"))
            .send()
            .await
            .expect("GET form");
        assert_eq!(res.status(), StatusCode::OK);
    }
    file_one(&app).await;
    let missing = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("GET");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let after = scrape(&app).await;
    assert!(
        sample(&after, "pakn_http_requests_total", &form) >= form_before + 4.0,
        "three form views and the one file_one fetched:\n{after}"
    );
    assert!(
        sample(&after, "pakn_tickets_filed_total", &[("channel", "web")]) >= filed_before + 1.0
    );
    assert!(
        sample(
            &after,
            "pakn_http_request_duration_seconds",
            &[("route", "/feedback/new")]
        ) >= 4.0,
        "the latency histogram counts the requests"
    );
    assert!(
        sample(
            &after,
            "pakn_http_requests_total",
            &[("route", "(unmatched)"), ("status", "404")]
        ) >= 1.0,
        "an unknown path is one label, never its raw path"
    );
    assert!(!after.contains("/no/such/page"));
    assert!(after.contains("pakn_db_pool_max"));
    assert!(after.contains("pakn_outbox_pending"));
    assert!(after.contains("pakn_outbox_oldest_pending_seconds"));
    let mail = app.take_mail().await;
    assert!(!mail.is_empty(), "the filing was routed by mail");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_or_a_listener_there_are_no_metrics() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_writes_json_lines_with_request_ids_and_no_personal_data() {
    let admin = pg::server_admin_url().await;
    let mut db = url::Url::parse(&admin).expect("admin url");
    db.set_path(&format!("/{}", pg::fresh_db_name()));
    let (port, metrics_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    let log = std::env::temp_dir().join(format!("pakn-json-log-{}.log", rand::random::<u32>()));
    let mut child = Command::new(BIN)
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env_remove("PAKN_CONFIG")
        .env("PAKN_LOG", "debug")
        .env("PAKN_DATABASE__URL", db.as_str())
        .env("PAKN_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("PAKN_SERVER__PUBLIC_URL", &base)
        .env("PAKN_SERVER__TRUSTED_PROXIES", "127.0.0.1/32")
        .env("PAKN_METRICS__LISTEN", format!("127.0.0.1:{metrics_port}"))
        .env("PAKN_SPAM__MIN_FILL_SECS", "0")
        .env("PAKN_LIMITS__EXEMPT", "127.0.0.0/8")
        .env(
            "PAKN_MAIL__DIR",
            std::env::temp_dir().join(format!("pakn-json-mail-{}", rand::random::<u64>())),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .kill_on_drop(true)
        .spawn()
        .expect("spawn pakn serve");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let started = Instant::now();
    while client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "pakn serve did not come up: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A filing through a "proxy" that names the request; then one without a name.
    let html = client
        .get(format!("{base}/feedback/new"))
        .send()
        .await
        .expect("GET form")
        .text()
        .await
        .expect("form");
    let res = client
        .post(format!("{base}/feedback"))
        .header("x-request-id", "proxy-req-0042")
        .multipart(form_of(&valid_fields(&token_of(&html))))
        .send()
        .await
        .expect("POST /feedback");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let echoed = res.headers().get("x-request-id").cloned();
    assert_eq!(
        echoed.as_ref().and_then(|v| v.to_str().ok()),
        Some("proxy-req-0042")
    );
    let odd = client
        .get(format!("{base}/no/such/page"))
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .expect("GET");
    assert_eq!(odd.status(), StatusCode::NOT_FOUND);
    let own = odd.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(own.len(), 16, "an unacceptable id is replaced: {own}");

    // The separate metrics listener answers without a token.
    let metrics = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .expect("GET metrics");
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.expect("metrics");
    assert!(sample(&text, "pakn_tickets_filed_total", &[("channel", "web")]) >= 1.0);

    child.start_kill().expect("kill");
    let _ = child.wait().await;
    let written = std::fs::read_to_string(&log).expect("the log");
    let _ = std::fs::remove_file(&log);
    assert!(!written.contains('\u{1b}'), "no ANSI codes in a file");
    let mut lines = 0;
    let mut tagged = Vec::new();
    for line in written.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            v.get("timestamp").is_some() && v.get("level").is_some(),
            "{line}"
        );
        lines += 1;
        if let Some(id) = v.pointer("/span/request_id").and_then(|x| x.as_str()) {
            tagged.push((id.to_string(), line.to_string()));
        }
    }
    assert!(lines > 3, "{written}");
    assert!(
        tagged
            .iter()
            .any(|(id, l)| id == "proxy-req-0042" && l.contains("/feedback")),
        "the filing's request line carries the proxy's id:\n{written}"
    );
    assert!(
        tagged.iter().any(|(id, _)| *id == own),
        "the 404's line carries the id pakn made:\n{written}"
    );
    for personal in [
        "0983",
        "570 009",
        "hoa.nguyen",
        "Nguyễn Thị Hoà",
        "Trần Hưng Đạo",
    ] {
        assert!(
            !written.contains(personal),
            "{personal} in the log:\n{written}"
        );
    }
    let mut conn = pakn::db::connect(&admin).await.expect("admin");
    let name = db.path().trim_start_matches('/').to_string();
    let _ = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")),
        &mut conn,
    )
    .await;
}

/// Mùng 1 Tết of the next lunar new year from `today` (within the coming 12 months).
fn next_tet(today: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let this = pakn::domain::lunar::tet(today.year()).expect("Tết");
    if this >= today {
        this
    } else {
        pakn::domain::lunar::tet(today.year() + 1).expect("Tết")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_home_warns_of_a_missing_tet_and_adds_it_in_one_step() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use pakn::db::schema::{audit_log, calendar_days};

    let app = TestApp::spawn().await;
    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    let tet = next_tet(today);
    let key = format!("tet-{}", chrono::Datelike::year(&tet));
    // Whatever the seed holds around it, this calendar lacks that Tết.
    {
        let mut conn = app.conn().await;
        diesel::delete(calendar_days::table.filter(calendar_days::day.between(
            tet - chrono::Duration::days(10),
            tet + chrono::Duration::days(15),
        )))
        .execute(&mut conn)
        .await
        .expect("clear");
    }
    crate::auth::create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;
    let c = crate::auth::client();
    crate::auth::login_ok(&app, &c, "quantri@sonoivu.vn").await;
    let home = crate::auth::get(&c, app.url("/staff/admin"))
        .await
        .text()
        .await
        .expect("admin home");
    assert!(home.contains("data-testid=\"calendar-gaps\""), "{home}");
    let date = pakn::domain::calendar::format_date(tet);
    assert!(
        home.contains(&format!("mùng 1 Tết: {date}")),
        "the warning names the computed date {date}"
    );
    assert!(home.contains(&format!("value=\"{key}\"")));

    let token = crate::auth::csrf(&app, &c).await;
    let res = c
        .post(app.url("/staff/admin/calendar/propose"))
        .form(&[("csrf", token.as_str()), ("key", key.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    let added: Vec<(chrono::NaiveDate, String, String)> = calendar_days::table
        .filter(calendar_days::day.between(
            tet - chrono::Duration::days(10),
            tet + chrono::Duration::days(15),
        ))
        .select((
            calendar_days::day,
            calendar_days::kind,
            calendar_days::status,
        ))
        .order(calendar_days::day)
        .load(&mut conn)
        .await
        .expect("days");
    assert!(
        (3..=7).contains(&added.len()),
        "five days of Tết, weekends made up: {added:?}"
    );
    assert!(added.iter().all(|(_, _, status)| status == "official"));
    assert!(
        added
            .iter()
            .any(|(d, k, _)| *d >= tet - chrono::Duration::days(1) && k == "holiday")
    );
    let audited: i64 = audit_log::table
        .filter(audit_log::entity.eq("calendar_day"))
        .filter(audit_log::action.eq("create"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("audit");
    assert_eq!(audited as usize, added.len(), "each day audited");
    // The deadlines follow at once: the reference data was reloaded.
    let calendar = &app.state.reference.get().calendar;
    for (d, _, _) in &added {
        assert!(!calendar.is_working_day(*d), "{d} is a day off now");
    }
    let home = crate::auth::get(&c, app.url("/staff/admin"))
        .await
        .text()
        .await
        .expect("admin home");
    assert!(
        !home.contains(&format!("value=\"{key}\"")),
        "that warning is gone"
    );
    // A second click finds nothing left to add and changes nothing.
    let again = c
        .post(app.url("/staff/admin/calendar/propose"))
        .form(&[("csrf", token.as_str()), ("key", key.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_warns_leaders_of_a_missing_tet_and_offers_the_fix_to_admins() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use pakn::db::schema::calendar_days;

    let app = TestApp::spawn_with(|cfg| cfg.server.counts_cache_secs = 0).await;
    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    let tet = next_tet(today);
    let key = format!("tet-{}", chrono::Datelike::year(&tet));
    diesel::delete(calendar_days::table.filter(calendar_days::day.between(
        tet - chrono::Duration::days(10),
        tet + chrono::Duration::days(15),
    )))
    .execute(&mut app.conn().await)
    .await
    .expect("clear");
    let overview = async |email: &str, roles: &[&str]| {
        crate::auth::create_user(&app, email, roles, None).await;
        let c = crate::auth::client();
        crate::auth::login_ok(&app, &c, email).await;
        crate::auth::get(&c, app.url("/staff/overview"))
            .await
            .text()
            .await
            .expect("overview")
    };
    let leader = overview("lanhdao2@sonoivu.vn", &["leader"]).await;
    assert!(leader.contains("data-testid=\"calendar-gaps\""));
    let date = pakn::domain::calendar::format_date(tet);
    assert!(leader.contains(&format!("mùng 1 Tết: {date}")), "{leader}");
    assert!(
        !leader.contains(&format!("value=\"{key}\"")),
        "a leader is told, not offered the admin's fix"
    );
    let both = overview("quantri2@sonoivu.vn", &["leader", "admin"]).await;
    assert!(
        both.contains(&format!("value=\"{key}\"")),
        "an admin gets the one-step add"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn check_config_names_what_the_calendar_lacks() {
    let app = TestApp::spawn().await;
    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    let tet = next_tet(today);
    {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use pakn::db::schema::calendar_days;
        let mut conn = app.conn().await;
        diesel::delete(calendar_days::table.filter(calendar_days::day.between(
            tet - chrono::Duration::days(10),
            tet + chrono::Duration::days(15),
        )))
        .execute(&mut conn)
        .await
        .expect("clear");
    }
    let out = Command::new(BIN)
        .arg("check-config")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &app.db.url)
        .output()
        .await
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("calendar    WARNING"), "{text}");
    assert!(
        text.contains(&format!(
            "Tết Nguyên đán {} (mùng 1 Tết {}) is missing",
            chrono::Datelike::year(&tet),
            pakn::domain::calendar::format_date(tet)
        )),
        "{text}"
    );
    app.stop().await;
}

/// `pakn doctor` against `db_url` with `env`: its exit code and output.
pub async fn doctor(db_url: &str, env: &[(&str, String)]) -> (i32, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("doctor")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", db_url)
        .env(
            "PAKN_MAIL__DIR",
            std::env::temp_dir().join(format!("pakn-doctor-mail-{}", rand::random::<u64>())),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().await.expect("run pakn doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_fails_on_each_broken_dependency_and_warns_of_the_calendar() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use pakn::db::schema::calendar_days;

    let app = TestApp::spawn().await;
    let url = app.db.url.clone();
    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    let admin = crate::auth::create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;

    // Everything well, the calendar completed for the year ahead.
    {
        let mut conn = app.conn().await;
        diesel::update(calendar_days::table.filter(calendar_days::status.eq("expected")))
            .set(calendar_days::status.eq("official"))
            .execute(&mut conn)
            .await
            .expect("confirm");
        let gaps = pakn::db::admin::calendar::gaps(&mut conn, today)
            .await
            .expect("gaps");
        let days: Vec<pakn::db::admin::calendar::DayInput> = gaps
            .iter()
            .flat_map(|g| match g {
                pakn::domain::calendar_coverage::Gap::Missing { proposal, .. } => proposal.clone(),
                pakn::domain::calendar_coverage::Gap::Expected { .. } => Vec::new(),
            })
            .map(|p| pakn::db::admin::calendar::DayInput {
                day: p.day,
                kind: p.kind.as_str().to_string(),
                name: p.name,
                status: "official".into(),
                note: None,
            })
            .collect();
        pakn::db::admin::calendar::create_many(&mut conn, admin, &days)
            .await
            .expect("complete the calendar");
    }
    let (code, out) = doctor(&url, &[]).await;
    assert_eq!(code, 0, "{out}");
    for name in [
        "config",
        "database",
        "migrations",
        "clock",
        "calendar",
        "mail out",
        "temp dir",
    ] {
        assert!(out.contains(&format!("OK   {name}")), "{name}: {out}");
    }

    // The calendar lacking the next Tết is a warning.
    let tet = next_tet(today);
    {
        let mut conn = app.conn().await;
        diesel::delete(calendar_days::table.filter(calendar_days::day.between(
            tet - chrono::Duration::days(10),
            tet + chrono::Duration::days(15),
        )))
        .execute(&mut conn)
        .await
        .expect("clear");
    }
    let (code, out) = doctor(&url, &[]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("WARN calendar") && out.contains("Tết Nguyên đán"),
        "{out}"
    );

    // Each broken dependency fails.
    let nobody = free_port().to_string();
    let dead_db = format!("postgres://postgres@127.0.0.1:{nobody}/pakn");
    let (code, out) = doctor(&dead_db, &[]).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("FAIL database"), "{out}");

    let smtp = [
        ("PAKN_MAIL__TRANSPORT", "smtp".to_string()),
        ("PAKN_MAIL__SMTP__HOST", "127.0.0.1".to_string()),
        ("PAKN_MAIL__SMTP__PORT", nobody.clone()),
        ("PAKN_MAIL__SMTP__TIMEOUT_SECS", "2".to_string()),
    ];
    let (code, out) = doctor(&url, &smtp).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("FAIL mail out"), "{out}");

    let imap = [
        ("PAKN_MAIL__INBOUND__ENABLED", "true".to_string()),
        ("PAKN_MAIL__INBOUND__IMAP__HOST", "127.0.0.1".to_string()),
        ("PAKN_MAIL__INBOUND__IMAP__PORT", nobody.clone()),
        ("PAKN_MAIL__INBOUND__IMAP__SECURITY", "none".to_string()),
        ("PAKN_MAIL__INBOUND__IMAP__USERNAME", "pakn".to_string()),
        ("PAKN_MAIL__INBOUND__IMAP__PASSWORD", "secret".to_string()),
    ];
    let (code, out) = doctor(&url, &imap).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("FAIL mail in"), "{out}");

    let (code, out) = doctor(&url, &[("TMPDIR", "/nonexistent/pakn-doctor".to_string())]).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("FAIL temp dir"), "{out}");

    // Migrations the database lacks: forget the last one ran.
    {
        let mut conn = app.conn().await;
        diesel::sql_query(
            "DELETE FROM __diesel_schema_migrations WHERE version = \
             (SELECT max(version) FROM __diesel_schema_migrations)",
        )
        .execute(&mut conn)
        .await
        .expect("forget a migration");
    }
    let (code, out) = doctor(&url, &[]).await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("FAIL migrations") && out.contains("pakn migrate"),
        "{out}"
    );
    app.stop().await;
}
