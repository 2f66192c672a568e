//! Issue 20, item 4: webhooks. A client's subscription hears the events of the PAKN it
//! filed, signed per Standard Webhooks: a receiver written apart in Python with the
//! specification's own library (`tests/data/webhook_receiver.py`) verifies every
//! signature (and refuses a forged one); deliveries wait while the receiver is down for
//! a minute and all arrive, each once, when it comes back; payloads carry no personal
//! data; the admin screen shows the log and sends a delivery again; a subscription failing
//! for days is switched off and the admins are mailed.

use std::time::{Duration, Instant};

use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::api::{add_client, cli};
use crate::support::app::TestApp;

/// A free port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn receiver(port: u16, secret: &str, log: &std::path::Path) -> Child {
    Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/webhook_receiver.py"
        ))
        .arg(port.to_string())
        .arg(secret)
        .arg(log)
        .kill_on_drop(true)
        .spawn()
        .expect("the Python receiver")
}

/// Waits until the receiver answers.
async fn wait_listening(port: u16) {
    let until = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < until, "the receiver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn logged(log: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[derive(diesel::QueryableByName, Debug)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    waiting: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    delivered: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    tried: i64,
}

async fn counts(app: &TestApp) -> Counts {
    diesel::sql_query(
        "SELECT count(*) FILTER (WHERE delivered_at IS NULL) AS waiting,
                count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                count(*) FILTER (WHERE attempts > 0 AND delivered_at IS NULL) AS tried
           FROM webhook_deliveries",
    )
    .get_result(&mut app.conn().await)
    .await
    .expect("counts")
}

async fn wait_for(app: &TestApp, what: &str, done: impl Fn(&Counts) -> bool) -> Counts {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let c = counts(app).await;
        if done(&c) {
            return c;
        }
        assert!(Instant::now() < until, "{what}: {c:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn file(app: &TestApp, key: &str, idempotency: &str) -> String {
    let body = json!({
        "idempotency_key": idempotency,
        "full_name": "Nguyễn Thị Hoà",
        "address": "12 Trần Hưng Đạo, phường Rạch Giá",
        "phone": "0983 570 009",
        "email": "hoa.nguyen@example.vn",
        "kind": "phan_anh",
        "content_category": "cham_tre_phien_ha",
        "field": "bao_hiem_xa_hoi",
        "title": "Chậm giải quyết hồ sơ hưởng bảo hiểm xã hội",
        "content": "Tôi nộp hồ sơ ngày 02/10/2026 tại bộ phận một cửa, đến nay đã quá hạn mà chưa có kết quả.",
        "consent": true
    });
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/pakn"))
        .bearer_auth(key)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = serde_json::from_str(&res.text().await.expect("body")).expect("JSON");
    v["code"].as_str().expect("code").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_deliveries_survive_a_receiver_down_for_a_minute() {
    let app = TestApp::spawn_with(|c| {
        c.webhooks.retry_base_secs = 1;
        c.webhooks.retry_max_secs = 4;
        c.webhooks.poll_interval_ms = 100;
    })
    .await;
    let key = add_client(&app, "Cổng dịch vụ công tỉnh", "provincial_committee").await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let (code, out) = cli(
        &app,
        &[
            "webhook",
            "add",
            "--client",
            "Cổng dịch vụ công tỉnh",
            "--url",
            &url,
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let secret = out
        .lines()
        .find(|l| l.starts_with("whsec_"))
        .expect("the secret shown once")
        .to_string();

    // The receiver is down: three PAKN filed, each delivery tried and kept.
    let down_since = Instant::now();
    let mut codes = Vec::new();
    for k in ["a", "b", "c"] {
        codes.push(file(&app, &key, k).await);
    }
    let _ = app.take_mail().await;
    wait_for(&app, "failed attempts recorded", |c| c.tried == 3).await;
    // A PAKN filed through the form is not this client's: nothing for it.
    assert_eq!(counts(&app).await.waiting, 3);

    // Up again after a minute: each delivery arrives once, every signature verified.
    tokio::time::sleep(Duration::from_secs(60).saturating_sub(down_since.elapsed())).await;
    let dir = tempfile::tempdir().expect("a directory");
    let log = dir.path().join("received.jsonl");
    let mut up = receiver(port, &secret, &log);
    wait_listening(port).await;
    wait_for(&app, "all delivered", |c| {
        c.delivered == 3 && c.waiting == 0
    })
    .await;
    let got = logged(&log);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|g| g["verified"] == true), "{got:?}");
    assert!(got.iter().all(|g| g["type"] == "pakn.filed"));
    let mut ids: Vec<&str> = got.iter().filter_map(|g| g["id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each delivery id once");
    for g in &got {
        let body = g["body"].as_str().unwrap_or_default();
        for personal in ["Nguyễn", "0983", "hoa.nguyen", "Trần Hưng Đạo"] {
            assert!(!body.contains(personal), "{personal} in {body}");
        }
        let payload: Value = serde_json::from_str(body).expect("JSON");
        let code = payload["data"]["code"].as_str().expect("its own code");
        assert!(codes.iter().any(|c| c == code));
        assert!(
            payload["timestamp"]
                .as_str()
                .is_some_and(|t| t.ends_with("+07:00"))
        );
    }

    // A forged delivery is refused by the same receiver (its check is real).
    let forged = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/hook"))
        .header("webhook-id", "msg_forged")
        .header(
            "webhook-timestamp",
            chrono::Utc::now().timestamp().to_string(),
        )
        .header("webhook-signature", "v1,bm90IGEgc2lnbmF0dXJl")
        .body("{}")
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);

    // A status change: its own event, with both statuses.
    diesel::sql_query(
        "WITH t AS (UPDATE tickets SET status = 'accepted' WHERE code = $1 RETURNING id)
         INSERT INTO ticket_events (ticket_id, actor_kind, event, from_status, to_status, public)
         SELECT id, 'staff', 'accept', 'submitted', 'accepted', true FROM t",
    )
    .bind::<diesel::sql_types::Text, _>(&codes[0])
    .execute(&mut app.conn().await)
    .await
    .expect("a move");
    wait_for(&app, "the move delivered", |c| c.delivered == 4).await;
    let moved = logged(&log).pop().expect("a delivery");
    assert_eq!(moved["type"], "pakn.status_changed");
    let data: Value =
        serde_json::from_str(moved["body"].as_str().unwrap_or_default()).expect("JSON");
    assert_eq!(
        (
            data["data"]["from_status"].as_str(),
            data["data"]["status"].as_str()
        ),
        (Some("submitted"), Some("accepted"))
    );

    // The admin's log sends one again, with the same id.
    crate::auth::create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;
    let c = crate::auth::client();
    crate::auth::login_ok(&app, &c, "quantri@sonoivu.vn").await;
    let token = crate::auth::csrf(&app, &c).await;
    let sub: i32 = diesel::sql_query("SELECT id FROM webhook_subscriptions")
        .get_result::<Id>(&mut app.conn().await)
        .await
        .expect("subscription")
        .id;
    let page = crate::auth::get(&c, app.url(&format!("/staff/admin/webhooks/{sub}")))
        .await
        .text()
        .await
        .expect("log");
    assert_eq!(
        page.matches("data-testid=\"delivery\"").count(),
        4,
        "{page}"
    );
    let first: i64 = diesel::sql_query("SELECT min(id)::int AS id FROM webhook_deliveries")
        .get_result::<Id>(&mut app.conn().await)
        .await
        .expect("first")
        .id
        .into();
    let res = c
        .post(app.url(&format!("/staff/admin/webhooks/{sub}/replay/{first}")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    wait_for(&app, "the replay delivered", |c| c.waiting == 0).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all: Vec<Value> = logged(&log)
        .into_iter()
        .filter(|g| g["verified"] == true)
        .collect();
    assert_eq!(all.len(), 5, "{all:?}");
    let replayed = all[4]["id"].as_str().unwrap_or_default();
    assert_eq!(
        all.iter().filter(|g| g["id"] == replayed).count(),
        2,
        "a replay keeps its webhook-id"
    );
    assert_eq!(all[4]["type"], "pakn.filed");

    // Failing for days: switched off at the next failure, and the admins mailed.
    up.kill().await.expect("stop the receiver");
    diesel::sql_query(
        "UPDATE webhook_subscriptions SET failing_since = now() - interval '73 hours'",
    )
    .execute(&mut app.conn().await)
    .await
    .expect("failing for days");
    let _ = app.take_mail().await;
    file(&app, &key, "d").await;
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let mail = app.take_mail().await;
        if mail
            .who()
            .iter()
            .any(|(kind, _)| *kind == "webhook_switched_off")
        {
            break;
        }
        assert!(Instant::now() < until, "no mail to the admins");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let list = crate::auth::get(&c, app.url("/staff/admin/webhooks"))
        .await
        .text()
        .await
        .expect("list");
    assert!(list.contains("Đã tắt"), "{list}");
    app.stop().await;
}

/// In a real browser, at 360 and 1280 px: an admin adds a subscription (a wrong address
/// first: the message, and what was typed kept), copies the secret shown once, and
/// opens the delivery log. Screenshots in `target/screenshots/webhooks-{360,1280}/`.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_subscribes_a_receiver_in_a_browser() {
    use crate::support::browser::{Browser, with_browser};

    let app = TestApp::spawn().await;
    add_client(&app, "Cổng dịch vụ công tỉnh", "provincial_committee").await;
    crate::auth::create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;
    let base = app.base.clone();
    for width in [360, 1280] {
        let base = base.clone();
        with_browser(
            &format!("webhooks-{width}"),
            width,
            1400,
            async |b: &Browser| {
                b.goto(&format!("{base}/staff/login")).await;
                b.fill("#email", "quantri@sonoivu.vn").await;
                b.fill("#password", crate::auth::PASSWORD).await;
                b.click("main button[type=submit]").await;
                b.wait_for(".admin-sections").await;
                b.click("a[href='/staff/admin/webhooks']").await;
                b.wait_for("#webhook-url").await;
                b.fill("#webhook-url", "ftp://cong.angiang.gov.vn/pakn")
                    .await;
                b.click("main form.admin-form button[type=submit]").await;
                b.wait_for("[data-testid=webhook-error]").await;
                assert!(
                    b.text("[data-testid=webhook-error]")
                        .await
                        .contains("http://")
                );
                let kept = b
                    .eval("return document.querySelector('#webhook-url').value")
                    .await;
                assert_eq!(kept, "ftp://cong.angiang.gov.vn/pakn");
                b.screenshot("error").await.expect("screenshot");
                b.eval("document.querySelector('#webhook-url').value = ''; return 1")
                    .await;
                b.fill(
                    "#webhook-url",
                    &format!("https://cong.angiang.gov.vn/pakn/{width}"),
                )
                .await;
                b.click("main form.admin-form button[type=submit]").await;
                b.wait_for("[data-testid=webhook-secret]").await;
                assert!(
                    b.text("[data-testid=webhook-secret]")
                        .await
                        .starts_with("whsec_")
                );
                b.screenshot("added").await.expect("screenshot");
                b.click("[data-testid=webhook] a.button").await;
                b.wait_for("main h1").await;
                assert!(b.text("main h1").await.contains("Nhật ký gửi"));
                b.screenshot("log").await.expect("screenshot");
            },
        )
        .await;
    }
    app.stop().await;
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
}
