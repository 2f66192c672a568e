//! Issue 14, item 2: the staff's second factor. Enrolment as a person does it (the
//! secret read from the page, codes computed here from it with `totp-rs`), login with a
//! code and with a recovery code, refusals (wrong, reused, spent), the half-signed-in
//! session, enrolment forced by `[auth] second_factor`, turning it off, and the code
//! throttle under 50 parallel guesses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{audit_log, recovery_codes, second_factors};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::auth::{PASSWORD, UNIT, client, create_user, get, value_of};
use crate::support::app::TestApp;

const LEADER: &str = "lanhdao.2fa@sonoivu.vn";
const OFFICER: &str = "chuyenvien.2fa@sonoivu.vn";

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The current 30-second step; waits for the next one when this one is about to end, so
/// that codes computed here for steps around it stay within the server's window.
async fn fresh_step() -> u64 {
    loop {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        if now % 30 < 25 {
            return now / 30;
        }
        tokio::time::sleep(Duration::from_secs(30 - now % 30)).await;
    }
}

fn code(secret: &[u8], step: u64) -> String {
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret.to_vec())
        .expect("totp")
        .generate(step * 30)
}

/// A six-digit code that is none of the codes of the steps around `step`.
fn wrong_code(secret: &[u8], step: u64, salt: u32) -> String {
    let near: Vec<String> = (step - 2..=step + 3).map(|s| code(secret, s)).collect();
    (salt..)
        .map(|i| format!("{:06}", (i * 7919) % 1_000_000))
        .find(|c| !near.contains(c))
        .expect("a wrong code")
}

/// The password step of a login: the response (303 somewhere).
async fn password_step(app: &TestApp, c: &reqwest::Client, email: &str) -> reqwest::Response {
    let html = get(c, app.url("/staff/login"))
        .await
        .text()
        .await
        .expect("body");
    let token = value_of(&html, "form_token");
    c.post(app.url("/staff/login"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("form_token", &token),
        ])
        .send()
        .await
        .expect("POST login")
}

/// The anti-forgery token of a page.
async fn csrf_of(app: &TestApp, c: &reqwest::Client, path: &str) -> String {
    let html = get(c, app.url(path)).await.text().await.expect("body");
    value_of(&html, "csrf")
}

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.expect("POST")
}

/// The secret the enrolment page shows as text.
fn secret_on(html: &str) -> Vec<u8> {
    let marker = "id=\"totp-secret\">";
    let start = html.find(marker).expect("the secret is shown") + marker.len();
    let text: String = html[start..]
        .split('<')
        .next()
        .expect("secret")
        .split_whitespace()
        .collect();
    Secret::Encoded(text).to_bytes().expect("base32 secret")
}

/// The recovery codes a page shows.
fn recovery_codes_on(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s.split("</code>").next().expect("code").to_string())
        .collect()
}

/// Sends a code at the second step of a login.
async fn second_step(app: &TestApp, c: &reqwest::Client, code: &str) -> reqwest::Response {
    let csrf = csrf_of(app, c, "/staff/login/code").await;
    post(
        app,
        c,
        "/staff/login/code",
        &[("csrf", &csrf), ("code", code)],
    )
    .await
}

/// Signs in with the password and then `code`: whether it let the user in.
async fn login_with(app: &TestApp, email: &str, code: &str) -> bool {
    let c = client();
    let res = password_step(app, &c, email).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/login/code");
    let res = second_step(app, &c, code).await;
    if res.status() == StatusCode::SEE_OTHER {
        assert_eq!(location(&res), "/staff/tickets");
        assert_eq!(
            get(&c, app.url("/staff/tickets")).await.status(),
            StatusCode::OK
        );
        true
    } else {
        assert_eq!(res.status(), StatusCode::OK, "the form again");
        let html = res.text().await.expect("body");
        assert!(html.contains("id=\"code-error\""), "{html}");
        false
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn enrol_then_sign_in_with_a_code_and_a_recovery_code() {
    // The throttle's bounds are the last test's; here they stay out of the way.
    let app = TestApp::spawn_with(|cfg| cfg.limits.code_per_account.count = 50).await;
    let officer = create_user(&app, OFFICER, &["officer"], Some(UNIT)).await;
    let c = client();
    // Not required of officers: the password alone signs in.
    let res = password_step(&app, &c, OFFICER).await;
    assert_eq!(location(&res), "/staff/tickets");
    let account = get(&c, app.url("/staff/account"))
        .await
        .text()
        .await
        .expect("body");
    assert!(account.contains("href=\"/staff/account/second-factor\""));

    // Enrolment: the QR code is drawn inline, the secret shown as text.
    let html = get(&c, app.url("/staff/account/second-factor"))
        .await
        .text()
        .await
        .expect("body");
    assert!(html.contains("<svg class=\"qr\""), "{html}");
    assert!(html.contains("<path d=\"M4 4h1v1h-1z"), "a drawn QR code");
    let secret = secret_on(&html);
    assert_eq!(secret.len(), 20);
    let again = get(&c, app.url("/staff/account/second-factor"))
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(secret_on(&again), secret, "reloading keeps the secret");
    let csrf = value_of(&html, "csrf");
    let step = fresh_step().await;
    // A wrong code, or a wrong password, confirms nothing.
    let wrong = wrong_code(&secret, step, 1);
    let res = post(
        &app,
        &c,
        "/staff/account/second-factor",
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("code", &wrong),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = post(
        &app,
        &c,
        "/staff/account/second-factor",
        &[
            ("csrf", &csrf),
            ("current_password", "sai mật khẩu rồi"),
            ("code", &code(&secret, step)),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The previous step's code confirms (one step of drift is allowed).
    let res = post(
        &app,
        &c,
        "/staff/account/second-factor",
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("code", &code(&secret, step - 1)),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let codes = recovery_codes_on(&res.text().await.expect("body"));
    assert_eq!(codes.len(), 10, "{codes:?}");
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-')
    );

    // Stored encrypted and hashed.
    let mut conn = app.conn().await;
    let stored: Vec<u8> = second_factors::table
        .filter(second_factors::user_id.eq(officer))
        .select(second_factors::secret)
        .first(&mut conn)
        .await
        .expect("row");
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()));
    let hashes: Vec<Vec<u8>> = recovery_codes::table
        .filter(recovery_codes::user_id.eq(officer))
        .select(recovery_codes::code_hash)
        .load(&mut conn)
        .await
        .expect("hashes");
    assert_eq!(hashes.len(), 10);
    let plain = codes[0].replace('-', "");
    assert!(
        hashes
            .iter()
            .all(|h| !h.windows(plain.len()).any(|w| w == plain.as_bytes()))
    );

    // Halfway signed in: nothing of the dashboard opens.
    let half = client();
    let res = password_step(&app, &half, OFFICER).await;
    assert_eq!(location(&res), "/staff/login/code");
    for path in ["/staff/tickets", "/staff/account", "/staff/tickets/new"] {
        let res = get(&half, app.url(path)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), "/staff/login", "{path}");
    }
    // The second step's form needs its anti-forgery token.
    let res = post(
        &app,
        &half,
        "/staff/login/code",
        &[("code", &code(&secret, step))],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A wrong code, and the code already spent at enrolment, are refused.
    let res = second_step(&app, &half, &wrong_code(&secret, step, 2)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("id=\"code-error\"")
    );
    let res = second_step(&app, &half, &code(&secret, step - 1)).await;
    assert_eq!(res.status(), StatusCode::OK, "a reused code");
    assert_eq!(
        get(&half, app.url("/staff/tickets")).await.status(),
        StatusCode::SEE_OTHER
    );
    // The current code lets the user in.
    let res = second_step(&app, &half, &code(&secret, step)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/tickets");
    assert_eq!(
        get(&half, app.url("/staff/tickets")).await.status(),
        StatusCode::OK
    );

    // The same code a second time is refused: its step is spent.
    assert!(!login_with(&app, OFFICER, &code(&secret, step)).await);
    // A recovery code works once.
    assert!(login_with(&app, OFFICER, &codes[0]).await);
    assert!(
        !login_with(&app, OFFICER, &codes[0]).await,
        "a spent recovery code"
    );
    // Typed loosely (lower case, no hyphen), another one works.
    assert!(login_with(&app, OFFICER, &codes[1].replace('-', "").to_lowercase()).await);
    let manage = get(&half, app.url("/staff/account/second-factor"))
        .await
        .text()
        .await
        .expect("body");
    assert!(manage.contains("id=\"totp-codes-left\">8<"), "{manage}");

    // Turning it off needs the password and a code; then the password alone signs in.
    let csrf = value_of(&manage, "csrf");
    let res = post(
        &app,
        &half,
        "/staff/account/second-factor/disable",
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("code", &wrong_code(&secret, step, 3)),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = post(
        &app,
        &half,
        "/staff/account/second-factor/disable",
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("code", &code(&secret, step + 1)),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = password_step(&app, &client(), OFFICER).await;
    assert_eq!(location(&res), "/staff/tickets");

    let actions: Vec<String> = audit_log::table
        .filter(audit_log::entity_id.eq(officer.to_string()))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut conn)
        .await
        .expect("audit");
    assert_eq!(
        actions,
        [
            "enable_second_factor",
            "login_recovery_code",
            "login_recovery_code",
            "disable_second_factor"
        ]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_required_role_is_sent_to_enrol_and_cannot_turn_it_off() {
    let app = TestApp::spawn_with(|cfg| {
        cfg.auth.second_factor = vec!["admin".into(), "leader".into()];
        cfg.limits.code_per_account.count = 50;
    })
    .await;
    create_user(&app, LEADER, &["leader"], None).await;
    let c = client();
    let res = password_step(&app, &c, LEADER).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/login/enrol");
    // Nothing else opens until enrolled.
    for path in ["/staff/tickets", "/staff/account", "/staff/overview"] {
        let res = get(&c, app.url(path)).await;
        assert_eq!(location(&res), "/staff/login", "{path}");
    }
    let res = get(&c, app.url("/staff/login/code")).await;
    assert_eq!(location(&res), "/staff/login/enrol");

    let html = get(&c, app.url("/staff/login/enrol"))
        .await
        .text()
        .await
        .expect("body");
    assert!(html.contains("id=\"totp-required\""));
    assert!(html.contains("<svg class=\"qr\""));
    assert!(!html.contains("name=\"current_password\""), "just typed");
    let secret = secret_on(&html);
    let csrf = value_of(&html, "csrf");
    let step = fresh_step().await;
    let res = post(
        &app,
        &c,
        "/staff/login/enrol",
        &[("csrf", &csrf), ("code", &wrong_code(&secret, step, 4))],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(&c, app.url("/staff/tickets")).await.status(),
        StatusCode::SEE_OTHER
    );
    let res = post(
        &app,
        &c,
        "/staff/login/enrol",
        &[("csrf", &csrf), ("code", &code(&secret, step - 1))],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let codes = recovery_codes_on(&res.text().await.expect("body"));
    assert_eq!(codes.len(), 10);
    assert_eq!(
        get(&c, app.url("/staff/tickets")).await.status(),
        StatusCode::OK,
        "signed in once enrolled"
    );

    // Turning it off is refused while the configuration requires it.
    let manage = get(&c, app.url("/staff/account/second-factor"))
        .await
        .text()
        .await
        .expect("body");
    assert!(!manage.contains("action=\"/staff/account/second-factor/disable\""));
    let csrf = value_of(&manage, "csrf");
    let res = post(
        &app,
        &c,
        "/staff/account/second-factor/disable",
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("code", &code(&secret, step)),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("id=\"disable-error\"")
    );
    let mut conn = app.conn().await;
    let on: Option<chrono::DateTime<chrono::Utc>> = second_factors::table
        .select(second_factors::confirmed_at)
        .first(&mut conn)
        .await
        .expect("row");
    assert!(on.is_some(), "still on");

    // New recovery codes: the old ones stop working.
    let res = post(
        &app,
        &c,
        "/staff/account/second-factor/recovery",
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("code", &code(&secret, step)),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = recovery_codes_on(&res.text().await.expect("body"));
    assert_eq!(fresh.len(), 10);
    assert!(
        !login_with(&app, LEADER, &codes[0]).await,
        "an old recovery code"
    );
    assert!(login_with(&app, LEADER, &fresh[0]).await);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_without_the_second_factor_its_role_now_requires_ends() {
    // Signed in with the password alone where it was not required; a second instance
    // (same database) requires it of leaders: the session ends there.
    let app = TestApp::spawn().await;
    create_user(&app, LEADER, &["leader"], None).await;
    let c = client();
    let res = password_step(&app, &c, LEADER).await;
    assert_eq!(location(&res), "/staff/tickets");
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("pakn_staff="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string();
    let strict = TestApp::spawn_on(app.db.clone(), |cfg| {
        cfg.auth.second_factor = vec!["leader".into()];
    })
    .await;
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = bare
        .get(strict.url("/staff/tickets"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/login");
    let res = bare
        .get(app.url("/staff/tickets"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the session has ended");
    strict.stop_keeping_db().await;
    app.stop().await;
}

/// Enrols `user_id` directly (as the use case stores it), returning the secret.
async fn enrolled(app: &TestApp, user_id: i32) -> Vec<u8> {
    let secret = pakn::domain::totp::new_secret();
    let keys = pakn::auth::second_factor::SecondFactorKeys::new(&app.state.secret);
    let sealed = keys.seal(user_id, &secret).expect("seal");
    let mut conn = app.conn().await;
    diesel::insert_into(second_factors::table)
        .values((
            second_factors::user_id.eq(user_id),
            second_factors::secret.eq(sealed),
            second_factors::recovery_salt.eq(vec![0u8; 16]),
            second_factors::confirmed_at.eq(chrono::Utc::now()),
        ))
        .execute(&mut conn)
        .await
        .expect("enrol");
    secret
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_parallel_code_guesses_queue_behind_the_limit_and_the_owner_still_gets_in() {
    // Whoever holds the password opens the second step once and sends 50 guesses at
    // once. Every guess is counted before it is checked: 5 pass at once, then one a
    // step from a queue whose spacing doubles (capped at 2 s here, 15 min by default) and
    // which reaches at most 10 s ahead; the rest are answered 429 unchecked.
    let app = TestApp::spawn_with(|cfg| {
        cfg.limits.code_per_account.count = 5;
        cfg.auth.code_delay_max_secs = 2;
    })
    .await;
    let user = create_user(&app, OFFICER, &["officer"], Some(UNIT)).await;
    let secret = enrolled(&app, user).await;
    let c = client();
    let res = password_step(&app, &c, OFFICER).await;
    assert_eq!(location(&res), "/staff/login/code");
    let csrf = csrf_of(&app, &c, "/staff/login/code").await;
    let step = fresh_step().await;
    let guesses: Vec<_> = (0..50u32)
        .map(|i| {
            let (c, url, csrf) = (c.clone(), app.url("/staff/login/code"), csrf.clone());
            let guess = wrong_code(&secret, step, 100 + i);
            tokio::spawn(async move {
                c.post(url)
                    .form(&[("csrf", csrf.as_str()), ("code", &guess)])
                    .send()
                    .await
                    .expect("POST")
                    .status()
            })
        })
        .collect();
    let (mut checked, mut busy) = (0usize, 0usize);
    for g in guesses {
        match g.await.expect("task") {
            StatusCode::OK => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => busy += 1,
            other => panic!("unexpected {other}"),
        }
    }
    eprintln!("50 parallel code guesses: {checked} checked and refused, {busy} answered 429");
    let queue = pakn::auth::throttle::QUEUE.as_secs() as usize;
    let bound = 5 + queue / pakn::auth::throttle::CODE_STEP.as_secs() as usize + 1;
    assert!(
        checked <= bound,
        "{checked} guesses checked, at most {bound}"
    );
    assert!(
        checked >= 5,
        "the first five are checked at once: {checked}"
    );
    assert_eq!(checked + busy, 50);
    assert_eq!(
        get(&c, app.url("/staff/tickets")).await.status(),
        StatusCode::SEE_OTHER,
        "no guess let anyone in"
    );
    // Once the queue has drained, the owner's right code gets in (no lockout).
    tokio::time::sleep(pakn::auth::throttle::QUEUE + Duration::from_secs(3)).await;
    let step = fresh_step().await;
    let res = second_step(&app, &c, &code(&secret, step)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "no lockout");
    assert_eq!(location(&res), "/staff/tickets");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_resets_a_lost_second_factor() {
    let app = TestApp::spawn_with(|cfg| cfg.auth.second_factor = vec!["leader".into()]).await;
    let user = create_user(&app, LEADER, &["leader"], None).await;
    enrolled(&app, user).await;
    let res = password_step(&app, &client(), LEADER).await;
    assert_eq!(location(&res), "/staff/login/code");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_pakn"))
        .args(["user", "reset-second-factor", "--email", LEADER])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &app.db.url)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run pakn user reset-second-factor");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Required of leaders: sent to enrol again.
    let res = password_step(&app, &client(), LEADER).await;
    assert_eq!(location(&res), "/staff/login/enrol");
    app.stop().await;
}
