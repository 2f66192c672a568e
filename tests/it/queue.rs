//! Issue 4, the data layer of the queue: search folds Vietnamese, exact lookups ignore
//! the scope, keyset pages do not overlap, counts come from the counters and the open
//! tickets' due dates.

use chrono::{Duration, Utc};
use pakn::db::queue::{self, Cursor, DueDates, DueFilter, QueueFilter, Scope};
use pakn::domain::feedback::{Choices, FeedbackValues, validate};
use pakn::domain::search::SearchTerm;
use pakn::domain::synonyms::Synonyms;
use pakn::handling::filing::{FilingMeta, FilingOutcome, file};
use unicode_normalization::UnicodeNormalization;

use crate::support::app::TestApp;
use crate::support::outbox::{DEPUTY, PPC_OFFICE, Rcpt, mail_to};

/// The notification of a labour lĩnh vực (to the deputy director alone) …
fn labour_notice() -> (&'static str, Rcpt) {
    ("notify", mail_to(&[DEPUTY]))
}

/// … and of the default rule (Cc the provincial committee's office).
fn default_notice() -> (&'static str, Rcpt) {
    ("notify", mail_to(&[DEPUTY]).cc(&[PPC_OFFICE]))
}

pub async fn file_ticket(
    app: &TestApp,
    name: &str,
    title: &str,
    field: &str,
    phone: &str,
    days_ago: i64,
) -> String {
    let reference = app.state.reference.get();
    let values = FeedbackValues {
        submitter_kind: "individual".into(),
        full_name: name.into(),
        address: "1 Lê Lợi, Rạch Giá".into(),
        phone: phone.into(),
        kind: "phan_anh".into(),
        content_category: "khac".into(),
        field: field.into(),
        title: title.into(),
        content: format!("{title}: nội dung phản ánh đủ dài để được tiếp nhận."),
        consent: true,
        ..Default::default()
    };
    let categories: Vec<(&str, bool)> = reference
        .active_categories()
        .map(|c| (c.code.as_str(), c.implies_kien_nghi))
        .collect();
    let fields: Vec<&str> = reference.active_fields().map(|f| f.code.as_str()).collect();
    let valid = validate(
        &values,
        &Choices {
            categories: &categories,
            fields: &fields,
        },
    )
    .expect("valid");
    let meta = FilingMeta {
        channel: pakn::domain::feedback::Channel::Web,
        external_ref: None,
        external_ref_date: None,
        entered_by: None,
        lang: "vi".into(),
        idempotency_key: None,
        suspected_spam: false,
        spam_reasons: vec![],
        received_at: Utc::now() - Duration::days(days_ago),
        keep_stashed: vec![],
        skip_acknowledgement: false,
    };
    let mut conn = app.conn().await;
    match file(&mut conn, &app.state.cfg, &reference, &valid, &[], &meta)
        .await
        .expect("filed")
    {
        FilingOutcome::Created { code, .. } => code.as_str().to_string(),
        other => panic!("{other:?}"),
    }
}

fn due_dates() -> DueDates {
    let today = pakn::domain::calendar::local_date(Utc::now());
    DueDates {
        today,
        soon_until: today + Duration::days(5),
        publication_late_before: Utc::now(),
    }
}

async fn search(app: &TestApp, q: &str, scope: Scope) -> Vec<String> {
    let mut conn = app.conn().await;
    let filter = QueueFilter {
        term: SearchTerm::parse(q, &Synonyms::default()),
        ..Default::default()
    };
    let (rows, _) = queue::list(&mut conn, &filter, scope, due_dates(), 50)
        .await
        .expect("list");
    rows.into_iter().map(|r| r.title).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn search_ignores_diacritics_case_spaces_and_normal_form() {
    let app = TestApp::spawn().await;
    file_ticket(
        &app,
        "Nguyễn Thị Hoà",
        "Thủ tục cấp giấy phép lao động",
        "viec_lam",
        "0912000001",
        1,
    )
    .await;
    file_ticket(
        &app,
        "Trần Văn Hòa",
        "Đường dây nóng không trả lời",
        "khac",
        "0912000002",
        2,
    )
    .await;
    file_ticket(
        &app,
        "Lê Minh",
        "Hồ sơ bảo hiểm xã hội chậm",
        "bao_hiem_xa_hoi",
        "0912000003",
        3,
    )
    .await;
    let all = Scope::default();
    assert_eq!(
        search(&app, "thu tuc", all).await,
        vec!["Thủ tục cấp giấy phép lao động"]
    );
    assert_eq!(
        search(&app, "nguyen", all).await,
        vec!["Thủ tục cấp giấy phép lao động"]
    );
    let mut hoa = search(&app, "hòa", all).await;
    hoa.sort();
    assert_eq!(hoa.len(), 2, "hòa finds hoà and hòa: {hoa:?}");
    assert_eq!(search(&app, "hoà", all).await.len(), 2);
    assert_eq!(
        search(&app, "duong", all).await,
        vec!["Đường dây nóng không trả lời"]
    );
    let nfd: String = "THỦ TỤC".nfd().collect();
    assert_eq!(search(&app, &nfd, all).await.len(), 1, "NFD and upper case");
    assert_eq!(
        search(&app, "   bao    hiem  ", all).await,
        vec!["Hồ sơ bảo hiểm xã hội chậm"]
    );
    assert_eq!(
        search(&app, "bao hie", all).await.len(),
        1,
        "the last word is a prefix"
    );
    assert!(
        search(&app, "thu tuc khong co", all).await.is_empty(),
        "all words must match"
    );
    // No email given: no acknowledgement, only the rules' notifications.
    assert_eq!(
        app.take_mail().await.who(),
        [labour_notice(), default_notice(), labour_notice()]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn codes_and_phones_find_across_the_default_scope_words_do_not() {
    let app = TestApp::spawn().await;
    let old = file_ticket(
        &app,
        "Phạm Văn Cũ",
        "Phản ánh cũ về thủ tục",
        "khac",
        "0912000009",
        400,
    )
    .await;
    let reference = app.state.reference.get();
    let other_unit = reference
        .unit_by_code("phong_lao_dong_viec_lam")
        .expect("unit")
        .id;
    let scoped = Scope {
        unit: Some(other_unit),
        since: Some(Utc::now() - Duration::days(365)),
        confidential: pakn::domain::access::ConfidentialReach::All,
    };
    assert!(
        search(&app, "phan anh cu", scoped).await.is_empty(),
        "words stay in scope"
    );
    let shown = format!("{}-{}-{}", &old[..4], &old[4..8], &old[8..]).to_lowercase();
    let mut conn = app.conn().await;
    for q in [
        old.clone(),
        shown,
        "0912 000 009".to_string(),
        "+84912000009".to_string(),
    ] {
        let filter = QueueFilter {
            term: SearchTerm::parse(&q, &Synonyms::default()),
            ..Default::default()
        };
        let (rows, _) = queue::list(
            &mut conn,
            &filter,
            Scope {
                unit: None,
                since: scoped.since,
                confidential: pakn::domain::access::ConfidentialReach::All,
            },
            due_dates(),
            50,
        )
        .await
        .expect("list");
        assert_eq!(rows.len(), 1, "{q} finds the old ticket");
    }
    drop(conn);
    assert_eq!(app.take_mail().await.who(), [default_notice()]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn keyset_pages_cover_everything_once_and_counts_match_a_fixture() {
    let app = TestApp::spawn().await;
    // 7 tickets: 4 about employment (→ labour unit), 3 others (→ office); 2 overdue.
    for i in 0..7 {
        let field = if i < 4 { "viec_lam" } else { "ton_giao" };
        let days = if i < 2 { 40 } else { i };
        file_ticket(
            &app,
            "Võ Thị Mai",
            &format!("Phản ánh số {i}"),
            field,
            &format!("09120001{i:02}"),
            days,
        )
        .await;
    }
    let mut conn = app.conn().await;
    let mut seen = Vec::new();
    let mut filter = QueueFilter::default();
    loop {
        let (rows, more) = queue::list(&mut conn, &filter, Scope::default(), due_dates(), 3)
            .await
            .expect("list");
        seen.extend(rows.iter().map(|r| r.title.clone()));
        let Some(last) = rows.last() else { break };
        if !more {
            break;
        }
        filter.after = Some(Cursor {
            received_at: last.received_at,
            id: last.id,
        });
        let encoded = filter.after.expect("cursor").encode();
        assert_eq!(Cursor::decode(&encoded), filter.after);
    }
    assert_eq!(seen.len(), 7);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "no overlap between pages");
    let reference = app.state.reference.get();
    let labour = reference
        .unit_by_code("phong_lao_dong_viec_lam")
        .expect("unit")
        .id;
    let counts = queue::counts_by_status(&mut conn, Some(labour), None)
        .await
        .expect("counts");
    assert_eq!(counts, vec![("submitted".to_string(), 4)]);
    let all = queue::counts_by_status(&mut conn, None, Some("ton_giao"))
        .await
        .expect("counts");
    assert_eq!(all, vec![("submitted".to_string(), 3)]);
    let (overdue, _soon) = queue::due_counts(&mut conn, None, due_dates())
        .await
        .expect("due");
    assert_eq!(
        overdue, 2,
        "the two tickets of 40 days ago are past their 20-day deadline"
    );
    let filter = QueueFilter {
        due: Some(DueFilter::Overdue),
        ..Default::default()
    };
    let (rows, _) = queue::list(&mut conn, &filter, Scope::default(), due_dates(), 50)
        .await
        .expect("list");
    assert_eq!(rows.len(), 2);
    drop(conn);
    let mut want = vec![labour_notice(); 4];
    want.extend(vec![default_notice(); 3]);
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_finds_old_matches_beyond_the_recent_window_and_pages_through_common_ones() {
    let app = TestApp::spawn().await;
    file_ticket(
        &app,
        "Đinh Văn Hiếm",
        "Trợ cấp mai táng phí chưa nhận",
        "khac",
        "0912000201",
        30,
    )
    .await;
    for i in 0..6 {
        file_ticket(
            &app,
            "Lý Thị Thường",
            &format!("Thủ tục chậm lần {i}"),
            "khac",
            &format!("09120003{i:02}"),
            i,
        )
        .await;
    }
    let mut conn = app.conn().await;
    let search = |q: &str| QueueFilter {
        term: SearchTerm::parse(q, &Synonyms::default()),
        ..Default::default()
    };
    // A window of 2 rows: the old rare match is found through the index.
    let (rows, more) = queue::list_with_window(
        &mut conn,
        &search("mai tang"),
        Scope::default(),
        due_dates(),
        3,
        2,
    )
    .await
    .expect("list");
    assert_eq!((rows.len(), more), (1, false));
    // A common word fills the page inside the window, and the next page continues.
    let (rows, more) = queue::list_with_window(
        &mut conn,
        &search("thu tuc"),
        Scope::default(),
        due_dates(),
        2,
        2,
    )
    .await
    .expect("list");
    assert_eq!((rows.len(), more), (2, true));
    let mut filter = search("thu tuc");
    let mut seen: Vec<String> = rows.iter().map(|r| r.title.clone()).collect();
    filter.after = rows.last().map(|r| Cursor {
        received_at: r.received_at,
        id: r.id,
    });
    loop {
        let (rows, more) =
            queue::list_with_window(&mut conn, &filter, Scope::default(), due_dates(), 2, 2)
                .await
                .expect("list");
        seen.extend(rows.iter().map(|r| r.title.clone()));
        if !more {
            break;
        }
        filter.after = rows.last().map(|r| Cursor {
            received_at: r.received_at,
            id: r.id,
        });
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6, "every match once: {seen:?}");
    drop(conn);
    assert_eq!(app.take_mail().await.who(), vec![default_notice(); 7]);
    app.stop().await;
}
