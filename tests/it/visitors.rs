//! Issue 6: the visitor counter of the seed page, counted in memory per instance and
//! flushed in batches to Postgres, adding up across instances, with no address stored.

use chrono::TimeDelta;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::config::Config;
use pakn::db::schema::{visit_days, visitors_online};
use reqwest::StatusCode;

use crate::support::app::TestApp;

fn behind_proxy(cfg: &mut Config) {
    cfg.server.trusted_proxies = vec!["127.0.0.1/32".into()];
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn view(app: &TestApp, path: &str, ip: &str) -> StatusCode {
    client()
        .get(app.url(path))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .expect("GET")
        .status()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

const IPS: [&str; 3] = ["203.0.113.7", "198.51.100.23", "2001:db8::17"];

#[tokio::test(flavor = "multi_thread")]
async fn the_counter_adds_up_across_two_instances_and_no_table_holds_an_address() {
    let a = TestApp::spawn_with(behind_proxy).await;
    let b = TestApp::spawn_on(a.db.clone(), behind_proxy).await;
    // Counted: successful GETs of public pages.
    for (app, path, ip) in [
        (&a, "/", IPS[0]),
        (&a, "/directory", IPS[0]),
        (&a, "/privacy", IPS[0]),
        (&a, "/track", IPS[1]),
        (&a, "/feedback/new", IPS[1]),
        (&b, "/", IPS[0]),
        (&b, "/directory", IPS[0]),
        (&b, "/track/forgot", IPS[2]),
    ] {
        assert_eq!(view(app, path, ip).await, StatusCode::OK, "{path}");
    }
    // Not counted: health checks, assets, errors, staff pages.
    for (app, path) in [
        (&a, "/healthz"),
        (&b, "/no-such-page"),
        (&a, "/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        (&b, "/staff/login"),
        (&a, "/favicon.ico"),
    ] {
        view(app, path, "192.0.2.99").await;
    }
    // Each instance writes its batch (the background flush does the same every 2 s).
    a.state.visits.flush(&a.state.pool).await.expect("flush a");
    b.state.visits.flush(&b.state.pool).await.expect("flush b");
    let totals = a.state.visits.flush(&a.state.pool).await.expect("flush a");
    assert_eq!(
        (totals.total, totals.today, totals.online),
        (8, 8, 3),
        "{totals:?}"
    );

    let mut conn = a.conn().await;
    let views: Count =
        diesel::sql_query("SELECT coalesce(sum(views), 0)::bigint AS n FROM visit_days")
            .get_result(&mut conn)
            .await
            .expect("sum");
    assert_eq!(views.n, 8);
    let online: i64 = visitors_online::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(online, 3, "one visitor seen by both instances counts once");

    // The home page shows the totals (from the cache the flush filled).
    let home = client()
        .get(a.url("/"))
        .header("x-forwarded-for", IPS[0])
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    assert!(home.contains("data-testid=\"visits-total\">8<"), "{home}");
    assert!(home.contains("data-testid=\"visits-today\">8<"));
    assert!(home.contains("data-testid=\"visits-online\">3<"));
    assert!(home.contains("Lượt truy cập") && home.contains("Đang online"));

    // No table holds an address, in text or in bytes.
    let hex = |ip: &str| -> String {
        match ip.parse::<std::net::IpAddr>().expect("ip") {
            std::net::IpAddr::V4(v) => v.octets().iter().map(|b| format!("{b:02x}")).collect(),
            std::net::IpAddr::V6(v) => v.octets().iter().map(|b| format!("{b:02x}")).collect(),
        }
    };
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .load(&mut conn)
    .await
    .expect("tables");
    assert!(tables.iter().any(|t| t.name == "visitors_online"));
    for table in &tables {
        let rows: Vec<Row> =
            diesel::sql_query(format!("SELECT x::text AS t FROM \"{}\" x", table.name))
                .load(&mut conn)
                .await
                .expect("rows");
        for row in rows {
            for ip in IPS {
                assert!(!row.t.contains(ip), "{} holds {ip}: {}", table.name, row.t);
                assert!(
                    !row.t.contains(&hex(ip)),
                    "{} holds {ip} as bytes",
                    table.name
                );
            }
        }
    }
    // The day's salt is random and shared by both instances.
    let salts: Vec<Vec<u8>> = visit_days::table
        .select(visit_days::salt)
        .load(&mut conn)
        .await
        .expect("salts");
    assert_eq!(salts.len(), 1);
    assert_eq!(salts[0].len(), 32);

    b.stop_keeping_db().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn old_visitors_and_past_salts_are_swept() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let now = chrono::Utc::now();
    let today = pakn::domain::calendar::local_date(now);
    let yesterday = today - TimeDelta::days(1);
    diesel::insert_into(visit_days::table)
        .values((
            visit_days::day.eq(yesterday),
            visit_days::views.eq(5_i64),
            visit_days::salt.eq(vec![7u8; 32]),
        ))
        .execute(&mut conn)
        .await
        .expect("yesterday");
    diesel::insert_into(visitors_online::table)
        .values(&vec![
            (
                visitors_online::visitor.eq(vec![1u8; 16]),
                visitors_online::last_seen.eq(now - TimeDelta::hours(1)),
            ),
            (
                visitors_online::visitor.eq(vec![2u8; 16]),
                visitors_online::last_seen.eq(now),
            ),
        ])
        .execute(&mut conn)
        .await
        .expect("visitors");
    pakn::db::visits::sweep(&mut conn, today, 600)
        .await
        .expect("sweep");
    let left: Vec<Vec<u8>> = visitors_online::table
        .select(visitors_online::visitor)
        .load(&mut conn)
        .await
        .expect("left");
    assert_eq!(left, [vec![2u8; 16]]);
    let (views, salt): (i64, Vec<u8>) = visit_days::table
        .find(yesterday)
        .select((visit_days::views, visit_days::salt))
        .first(&mut conn)
        .await
        .expect("yesterday");
    assert_eq!(views, 5, "past views stay counted");
    assert!(salt.is_empty(), "a past day's salt is forgotten");
    let totals = pakn::db::visits::totals(&mut conn, today, 300)
        .await
        .expect("totals");
    assert_eq!((totals.total, totals.online), (5, 1));
    app.stop().await;
}
