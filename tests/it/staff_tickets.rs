//! Issue 4 over HTTP: who sees which PAKN, the queue and its bookmarkable filters, the
//! ticket page and its personal-data log, file downloads, staff entry, the overview.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{personal_data_views, tickets};
use reqwest::StatusCode;
use reqwest::multipart::Part;

use crate::auth::{OTHER_UNIT, UNIT, client, create_user, csrf, get, login_ok};
use crate::filing::{PNG, form_of, fresh_form, post, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::outbox::{
    DEPUTY, PPC_OFFICE, Rcpt, filing_mail, filing_mail_notifying, mail_to,
};

const LABOUR: &str = "phong_lao_dong_viec_lam";

/// The mail of [`file`] about a labour lĩnh vực: the acknowledgement, and the
/// notification to the deputy director alone …
fn labour_mail() -> Vec<(&'static str, Rcpt)> {
    filing_mail_notifying(mail_to(&[DEPUTY]))
}

/// … and about another (the default rule: Cc the provincial committee's office).
fn default_mail() -> Vec<(&'static str, Rcpt)> {
    filing_mail_notifying(mail_to(&[DEPUTY]).cc(&[PPC_OFFICE]))
}

/// Files one PAKN about `field` and returns its code.
async fn file(app: &TestApp, field: &str, title: &str, with_file: bool) -> String {
    let token = fresh_form(app).await;
    let fields = with(
        &with(
            &with(&valid_fields(&token), "field", field),
            "content_category",
            "khac",
        ),
        "title",
        title,
    );
    let mut form = form_of(&fields);
    if with_file {
        form = form.part(
            "attachments",
            Part::bytes(PNG.to_vec()).file_name("anh.png"),
        );
    }
    let (status, body, _) = post(app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let mut conn = app.conn().await;
    tickets::table
        .filter(tickets::title.eq(title))
        .select(tickets::code)
        .first(&mut conn)
        .await
        .expect("code")
}

#[tokio::test(flavor = "multi_thread")]
async fn officers_see_their_unit_leaders_and_inspectors_see_all() {
    let app = TestApp::spawn().await;
    let labour = file(&app, "viec_lam", "Việc làm: hồ sơ chậm", false).await;
    let office = file(&app, "ton_giao", "Tôn giáo: thủ tục đăng ký", false).await;
    create_user(&app, "cv.laodong@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;

    let officer = client();
    login_ok(&app, &officer, "cv.laodong@sonoivu.vn").await;
    // The bare queue is the officer's own PAKN (issue 17): the unit's is one click away.
    let queue = get(&officer, app.url("/staff/tickets?assignee=all"))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        queue.contains(&labour) && !queue.contains(&office),
        "an officer's queue is their unit's"
    );
    assert!(
        !queue.contains("0983")
            && !queue.contains("hoa.nguyen@example.vn")
            && !queue.contains("Trần Hưng Đạo"),
        "no phone, email or address in the list"
    );
    assert!(queue.contains("Nguyễn Thị Hoà"), "names are shown");
    assert_eq!(
        get(&officer, app.url(&format!("/staff/tickets/{labour}")))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        get(&officer, app.url(&format!("/staff/tickets/{office}")))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "another unit's PAKN is a 404, even by its code"
    );
    let lower = office.to_lowercase();
    assert_eq!(
        get(&officer, app.url(&format!("/staff/tickets/{lower}")))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    for email in ["lanhdao@sonoivu.vn", "thanhtra@sonoivu.vn"] {
        let c = client();
        login_ok(&app, &c, email).await;
        let queue = get(&c, app.url("/staff/tickets"))
            .await
            .text()
            .await
            .expect("body");
        assert!(
            queue.contains(&labour) && queue.contains(&office),
            "{email} sees all"
        );
        assert_eq!(
            get(&c, app.url(&format!("/staff/tickets/{office}")))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let admin = client();
    login_ok(&app, &admin, "quantri@sonoivu.vn").await;
    let res = get(&admin, app.url("/staff/tickets")).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "an admin alone is sent to the users page"
    );
    assert_eq!(
        get(&admin, app.url(&format!("/staff/tickets/{office}")))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&admin, app.url("/staff/overview")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.take_mail().await.who(),
        [labour_mail(), default_mail()].concat()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ticket_page_shows_everything_records_the_view_and_offers_files_as_downloads() {
    let app = TestApp::spawn().await;
    let code = file(&app, "viec_lam", "Trợ cấp thất nghiệp chậm", true).await;
    let officer_id = create_user(&app, "cv@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let page = get(&c, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("body");
    for shown in [
        "Nguyễn Thị Hoà",
        "0983570009",
        "hoa.nguyen@example.vn",
        "Trợ cấp thất nghiệp chậm",
        "anh.png",
        "Chờ tiếp nhận",
        "Tiếp nhận phản ánh, kiến nghị",
    ] {
        assert!(page.contains(shown), "the page shows {shown}");
    }
    let mut conn = app.conn().await;
    let views: Vec<(i32, String)> = personal_data_views::table
        .select((personal_data_views::user_id, personal_data_views::purpose))
        .load(&mut conn)
        .await
        .expect("views");
    assert_eq!(views, vec![(officer_id, "view".to_string())]);
    let marker = format!("/staff/tickets/{code}/files/");
    let start = page.find(&marker).expect("a file link");
    let link: String = page[start..].split('"').next().expect("href").to_string();
    let res = get(&c, app.url(&link)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .starts_with("attachment;")
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), PNG);
    let views: i64 = personal_data_views::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(views, 2, "the download is recorded too");
    drop(conn);
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), labour_mail());
    assert!(
        mail.iter().all(|m| m.attachment_ids.is_empty()),
        "the file is not mailed"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bookmarked_filter_url_reproduces_the_view_and_search_folds() {
    let app = TestApp::spawn().await;
    let a = file(&app, "viec_lam", "Thủ tục trợ cấp việc làm", false).await;
    let b = file(&app, "bao_hiem_xa_hoi", "Bảo hiểm xã hội một lần", false).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let url = app.url("/staff/tickets?status=submitted&field=viec_lam&q=thu+tuc");
    let first = client();
    login_ok(&app, &first, "lanhdao@sonoivu.vn").await;
    let one = get(&first, url.clone()).await.text().await.expect("body");
    let second = client();
    login_ok(&app, &second, "lanhdao@sonoivu.vn").await;
    let two = get(&second, url).await.text().await.expect("body");
    assert!(one.contains(&a) && !one.contains(&b));
    assert!(
        two.contains(&a) && !two.contains(&b),
        "the same URL shows the same PAKN"
    );
    assert!(
        one.contains("value=\"thu tuc\""),
        "the search box keeps the query"
    );
    let by_code = get(
        &first,
        app.url(&format!("/staff/tickets?q={}", b.to_lowercase())),
    )
    .await
    .text()
    .await
    .expect("body");
    assert!(by_code.contains(&b) && !by_code.contains(&a));
    let counts = get(&first, app.url("/staff/tickets"))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        counts.contains("data-testid=\"count-submitted\">2<"),
        "counts from the counters"
    );
    assert_eq!(
        app.take_mail().await.who(),
        [labour_mail(), labour_mail()].concat()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_entry_records_channel_reference_and_officer_and_prints_a_receipt() {
    let app = TestApp::spawn().await;
    let officer_id = create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let token = csrf(&app, &c).await;
    let mut fields: Vec<(&str, String)> = valid_fields("")
        .into_iter()
        .filter(|(k, _)| *k != "form_token" && *k != "consent")
        .collect();
    fields.push(("csrf", token.clone()));
    fields.push(("channel", "post".into()));
    fields.push(("external_ref", "123/UBND-TH".into()));
    fields.push(("external_ref_date", "2026-11-20".into()));
    fields.push((
        "received_on",
        pakn::domain::calendar::local_date(chrono::Utc::now())
            .format("%Y-%m-%d")
            .to_string(),
    ));
    let res = c
        .post(app.url("/staff/tickets/new"))
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let receipt_path = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let receipt = get(&c, app.url(&receipt_path))
        .await
        .text()
        .await
        .expect("body");
    assert!(receipt.contains("data-testid=\"tracking-code\""));
    assert!(
        receipt.contains("/t/"),
        "the receipt gives the citizen their private link"
    );
    let mut conn = app.conn().await;
    let row: (
        String,
        Option<String>,
        Option<chrono::NaiveDate>,
        Option<i32>,
    ) = tickets::table
        .select((
            tickets::channel,
            tickets::external_ref,
            tickets::external_ref_date,
            tickets::entered_by,
        ))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(row.0, "post");
    assert_eq!(row.1.as_deref(), Some("123/UBND-TH"));
    assert_eq!(row.2.map(|d| d.to_string()).as_deref(), Some("2026-11-20"));
    assert_eq!(row.3, Some(officer_id));
    // A missing field comes back with the values; an inspector cannot enter at all.
    let bad: Vec<(&str, String)> = fields
        .iter()
        .filter(|(k, _)| *k != "title")
        .cloned()
        .collect();
    let res = c
        .post(app.url("/staff/tickets/new"))
        .form(&bad)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("123/UBND-TH"));
    let inspector = client();
    login_ok(&app, &inspector, "thanhtra@sonoivu.vn").await;
    assert_eq!(
        get(&inspector, app.url("/staff/tickets/new"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let _ = OTHER_UNIT;
    drop(conn);
    // Entered by post with the citizen's email: acknowledged to it as a web filing is.
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_equals_a_hand_computed_fixture() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        file(&app, "viec_lam", &format!("Việc làm {i}"), false).await;
    }
    file(&app, "ton_giao", "Tôn giáo", false).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "lanhdao@sonoivu.vn").await;
    let page = get(&c, app.url("/staff/overview"))
        .await
        .text()
        .await
        .expect("body");
    assert!(page.contains("data-testid=\"total-open\">4<"), "{page}");
    assert!(page.contains("data-testid=\"total-month\">4<"));
    assert!(page.contains("data-testid=\"total-overdue\">0<"));
    assert!(page.contains("data-testid=\"total-late\">0<"));
    let mut want = [labour_mail(), labour_mail(), labour_mail()].concat();
    want.extend(default_mail());
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_are_kept_a_few_seconds_and_the_pages_say_when_they_were_counted() {
    // An hour, so that the test cannot race the clock.
    let app = TestApp::spawn_with(|cfg| cfg.server.counts_cache_secs = 3600).await;
    file(&app, "viec_lam", "Việc làm 1", false).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "lanhdao@sonoivu.vn").await;
    let page = |path: &'static str| {
        let c = c.clone();
        let url = app.url(path);
        async move { get(&c, url).await.text().await.expect("body") }
    };
    let queue = page("/staff/tickets").await;
    assert!(queue.contains("data-testid=\"count-submitted\">1<"));
    // The queue no longer says when it counted (issue 17: technical noise); the
    // overview still does.
    assert!(!queue.contains("Số liệu đếm lúc"));
    let overview = page("/staff/overview").await;
    assert!(overview.contains("data-testid=\"total-open\">1<"));
    assert!(overview.contains("cập nhật sau mỗi 3600 giây"));

    file(&app, "viec_lam", "Việc làm 2", false).await;
    let queue = page("/staff/tickets").await;
    assert!(
        queue.contains("data-testid=\"count-submitted\">1<"),
        "the counts of this scope come from memory"
    );
    assert!(
        queue.contains("Việc làm 2"),
        "the list itself is always read afresh"
    );
    assert!(
        page("/staff/overview")
            .await
            .contains("data-testid=\"total-open\">1<")
    );
    // Another scope is counted on its own.
    let field = page("/staff/tickets?field=viec_lam").await;
    assert!(field.contains("data-testid=\"count-submitted\">2<"));
    // The second filing also tells the department's leader, who exists by then.
    let mut second = labour_mail();
    second.push(("notify_staff", mail_to(&["lanhdao@sonoivu.vn"])));
    assert_eq!(
        app.take_mail().await.who(),
        [labour_mail(), second].concat()
    );
    app.stop().await;

    // Without the cache every view counts, and no page claims otherwise.
    let app = TestApp::spawn_with(|cfg| cfg.server.counts_cache_secs = 0).await;
    file(&app, "viec_lam", "Việc làm 1", false).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "lanhdao@sonoivu.vn").await;
    get(&c, app.url("/staff/tickets")).await;
    file(&app, "viec_lam", "Việc làm 2", false).await;
    let queue = get(&c, app.url("/staff/tickets"))
        .await
        .text()
        .await
        .expect("body");
    assert!(queue.contains("data-testid=\"count-submitted\">2<"));
    assert!(!queue.contains("Số liệu đếm lúc"));
    let mut second = labour_mail();
    second.push(("notify_staff", mail_to(&["lanhdao@sonoivu.vn"])));
    assert_eq!(
        app.take_mail().await.who(),
        [labour_mail(), second].concat()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_records_whose_pakn_it_listed_and_browsing_does_not() {
    // Security review, finding 13: a phone search is a reverse lookup of people.
    let app = TestApp::spawn().await;
    file(&app, "viec_lam", "Trợ cấp thất nghiệp chậm", false).await;
    let inspector = create_user(&app, "tt@sonoivu.vn", &["inspector"], None).await;
    let c = client();
    login_ok(&app, &c, "tt@sonoivu.vn").await;
    let searches = |app: &TestApp| {
        let app = app.db.url.clone();
        async move {
            let mut conn = pakn::db::connect(&app).await.expect("connect");
            personal_data_views::table
                .filter(personal_data_views::purpose.eq("search"))
                .select(personal_data_views::user_id)
                .load::<i32>(&mut conn)
                .await
                .expect("views")
        }
    };
    let res = get(&c, app.url("/staff/tickets")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        searches(&app).await.is_empty(),
        "browsing the queue is not a search"
    );
    let page = get(&c, app.url("/staff/tickets?q=0983570009"))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Nguyễn Thị Hoà"),
        "the search found the sender"
    );
    assert_eq!(searches(&app).await, vec![inspector]);
    let _ = get(&c, app.url("/staff/tickets?q=0912000000")).await;
    assert_eq!(
        searches(&app).await,
        vec![inspector],
        "nothing listed, nothing recorded"
    );
    assert_eq!(app.take_mail().await.who(), labour_mail());
    app.stop().await;
}
