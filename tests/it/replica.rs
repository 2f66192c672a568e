//! Issue 19, item 2: the read replica. Two clusters of the test's own in streaming
//! replication; `[database] replica_url` names the standby. The public figures
//! (`/statistics`) are read there while it keeps up, and from the primary when its
//! replay is paused for longer than `replica_max_lag_secs`, or when it is down; filing
//! (a write) never goes there.

use std::time::{Duration, Instant};

use chrono::Datelike;
use reqwest::StatusCode;

use crate::support::app::TestApp;
use crate::support::cluster::Cluster;
use crate::support::pg::TestDb;
use crate::workflow::file;

/// This year's "received" on `/statistics`.
async fn received_this_year(app: &TestApp) -> i64 {
    let res = reqwest::get(app.url("/statistics"))
        .await
        .expect("statistics");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("body");
    let year = chrono::Utc::now().year();
    let marker = format!("data-testid=\"stats-{year}-total\">");
    let at = page.find(&marker).expect("this year's totals") + marker.len();
    let rest = &page[at..];
    let n = rest
        .split("<span class=\"stats-n\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the first figure");
    n.replace(['.', ','], "").parse().expect("a count")
}

/// Waits until the standby holds `n` PAKN.
async fn replayed(standby: &Cluster, n: i64) {
    let client = standby.client("pakn").await;
    let started = Instant::now();
    loop {
        let row = client
            .query_one("SELECT count(*) FROM tickets", &[])
            .await
            .expect("count on the standby");
        if row.get::<_, i64>(0) == n {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never replayed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `/statistics` says `n`; how long that took.
async fn statistics_say(app: &TestApp, n: i64, patience: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let now = received_this_year(app).await;
        if now == n {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < patience,
            "statistics still say {now}, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn public_figures_come_from_the_replica_and_from_the_primary_when_it_lags_or_is_down() {
    let primary = Cluster::start().await;
    primary
        .client("postgres")
        .await
        .simple_query("CREATE DATABASE pakn")
        .await
        .expect("create database");
    pakn::db::setup::migrate(&primary.url("pakn"))
        .await
        .expect("migrated");
    let standby = Cluster::standby_of(&primary).await;
    let db = TestDb::on(primary.url("pakn"), "pakn", primary.url("postgres"));
    let replica_url = standby.url("pakn");
    let app = TestApp::spawn_on(db, |cfg| {
        cfg.database.replica_url = replica_url;
        cfg.database.replica_max_lag_secs = 4;
        cfg.database.replica_check_ms = 200;
        cfg.server.counts_cache_secs = 0;
    })
    .await;

    // A filing goes to the primary; the standby replays it and the figures show it.
    file(&app, "Bản sao: PAKN thứ nhất").await;
    replayed(&standby, 1).await;
    statistics_say(&app, 1, Duration::from_secs(10)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.state.reads.on_replica() {
        assert!(Instant::now() < deadline, "the replica is never used");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Replay paused: the second filing is on the primary only, and the page, read on
    // the replica, still says 1 while it is within its 4 s.
    standby.pause_replay(true).await;
    file(&app, "Bản sao: PAKN thứ hai").await;
    assert_eq!(
        received_this_year(&app).await,
        1,
        "read on the replica, which has not replayed the second filing"
    );
    // Past the bound, the reads go back to the primary: 2.
    let waited = statistics_say(&app, 2, Duration::from_secs(20)).await;
    assert!(!app.state.reads.on_replica());
    assert!(
        waited >= Duration::from_secs(1),
        "the replica was left aside only once it lagged ({waited:?})"
    );

    // Caught up again, it serves again.
    standby.pause_replay(false).await;
    replayed(&standby, 2).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.state.reads.on_replica() {
        assert!(Instant::now() < deadline, "the replica is not taken back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // `pakn doctor` reports it well.
    let with_replica = [("PAKN_DATABASE__REPLICA_URL", standby.url("pakn"))];
    let (_, said) = crate::operations::doctor(&primary.url("pakn"), &with_replica).await;
    let line = said
        .lines()
        .find(|l| l.contains("replica"))
        .unwrap_or_else(|| panic!("a replica line:\n{said}"));
    assert!(
        line.starts_with("OK") && line.contains("s behind (bound"),
        "{line}"
    );

    // Down: every read still answers, from the primary.
    standby.stop_fast().await;
    for _ in 0..5 {
        assert_eq!(received_this_year(&app).await, 2);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.state.reads.on_replica() {
        assert!(Instant::now() < deadline, "a stopped replica stays in use");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (code, said) = crate::operations::doctor(&primary.url("pakn"), &with_replica).await;
    assert!(code >= 1, "a replica down is a warning at least:\n{said}");
    assert!(
        said.lines()
            .any(|l| l.contains("replica") && l.contains("reads go to the primary")),
        "{said}"
    );
    file(&app, "Bản sao: PAKN thứ ba").await;
    assert_eq!(received_this_year(&app).await, 3);
    let _ = app.take_mail().await;
    app.stop().await;
    drop(standby);
    drop(primary);
}
