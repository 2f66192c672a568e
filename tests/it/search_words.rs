//! Issue 21, item 5: search that knows the administration's words. Every seeded
//! abbreviation finds the PAKN written in full and the reverse (staff search, and
//! `/answers`); an admin adds a group and search uses it at once; a title match ranks
//! above a content match, the newest first among equals, until a column is clicked; the
//! words found are marked without breaking the escaping; the count is exact up to a
//! bound and "more than" past it, whichever search path found the rows.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::answers_search;
use pakn::db::publication::AnswerFilter;
use pakn::db::queue::{DueDates, QueueFilter, Scope, Sort, SortKey};
use pakn::db::queue_search;
use pakn::db::schema::{audit_log, public_answers, search_synonyms, tickets};
use pakn::domain::feedback::{Choices, FeedbackValues, validate};
use pakn::domain::search::{SearchTerm, query_words};
use pakn::handling::filing::{FilingMeta, FilingOutcome, file};
use pakn::i18n::{Lang, Tr};
use pakn::web::kit::search_words::count_text;
use reqwest::StatusCode;

use crate::auth::{client, create_user, csrf, get, login_ok};
use crate::support::app::TestApp;

const LEADER: &str = "lanhdao@sonoivu.vn";
const ADMIN: &str = "quantri@sonoivu.vn";
const FILLER: &str = "Đề nghị cơ quan xem xét, trả lời sớm cho người dân được biết.";

/// Files a PAKN received `days_ago` with this title and content; its id and code.
pub async fn file_pakn(app: &TestApp, title: &str, content: &str, days_ago: i64) -> (i64, String) {
    let reference = app.state.reference.get();
    let n: u32 = rand::random::<u32>() % 1_000_000;
    let values = FeedbackValues {
        submitter_kind: "individual".into(),
        full_name: "Lê Văn Tám".into(),
        address: "12 Trần Phú, Rạch Giá".into(),
        phone: format!("0915{n:06}"),
        kind: "phan_anh".into(),
        content_category: "khac".into(),
        field: "khac".into(),
        title: title.into(),
        content: content.into(),
        consent: true,
        publish_consent: true,
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
        // Seconds apart too, so that PAKN filed the same day have an order.
        received_at: Utc::now() - Duration::days(days_ago) - Duration::seconds(n as i64 % 60),
        keep_stashed: vec![],
        skip_acknowledgement: false,
    };
    let mut conn = app.conn().await;
    let code = match file(&mut conn, &app.state.cfg, &reference, &valid, &[], &meta)
        .await
        .expect("filed")
    {
        FilingOutcome::Created { code, .. } => code.as_str().to_string(),
        other => panic!("{other:?}"),
    };
    let id = tickets::table
        .filter(tickets::code.eq(&code))
        .select(tickets::id)
        .first(&mut conn)
        .await
        .expect("id");
    (id, code)
}

/// A signed-in leader's client.
async fn leader(app: &TestApp) -> reqwest::Client {
    create_user(app, LEADER, &["leader"], None).await;
    let c = client();
    login_ok(app, &c, LEADER).await;
    c
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = get(c, app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("body")
}

fn q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The codes the queue lists, in its order.
fn codes(html: &str) -> Vec<String> {
    html.split("<a href=\"/staff/tickets/")
        .skip(1)
        .filter_map(|s| {
            s.split_once("\" class=\"code-link\"")
                .map(|(c, _)| c.to_string())
        })
        .collect()
}

/// The staff search's codes for `query`.
async fn staff_search(c: &reqwest::Client, app: &TestApp, query: &str) -> (Vec<String>, String) {
    let html = page(c, app, &format!("/staff/tickets?q={}", q(query))).await;
    (codes(&html), html)
}

fn due_dates() -> DueDates {
    let today = pakn::domain::calendar::local_date(Utc::now());
    DueDates {
        today,
        soon_until: today + Duration::days(5),
        publication_late_before: Utc::now(),
    }
}

/// Publishes a public copy of ticket `id` answered on `on`; its public id.
async fn publish_copy(
    app: &TestApp,
    id: i64,
    title: &str,
    question: &str,
    on: NaiveDate,
) -> String {
    let public_id = pakn::domain::publication::new_public_id(&mut rand::rng());
    let answer = "Sở Nội vụ đã chỉ đạo giải quyết và trả lời Ông/Bà.";
    let search = pakn::domain::masking::search_text(&[title, question, answer]);
    diesel::insert_into(public_answers::table)
        .values((
            public_answers::public_id.eq(&public_id),
            public_answers::ticket_id.eq(id),
            public_answers::field_code.eq("khac"),
            public_answers::title.eq(title),
            public_answers::question.eq(question),
            public_answers::answer.eq(answer),
            public_answers::answered_on.eq(on),
            public_answers::search_text.eq(search),
            public_answers::published_at.eq(Utc::now()),
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("a public copy");
    public_id
}

#[tokio::test(flavor = "multi_thread")]
async fn each_seeded_abbreviation_finds_the_words_in_full_and_the_reverse() {
    let app = TestApp::spawn().await;
    let c = leader(&app).await;
    let groups: Vec<Vec<String>> = search_synonyms::table
        .order(search_synonyms::id)
        .select(search_synonyms::terms)
        .load(&mut app.conn().await)
        .await
        .expect("the seeded groups");
    assert!(groups.len() >= 30, "{} groups seeded", groups.len());
    for terms in &groups {
        for term in terms {
            assert_eq!(
                term.as_str(),
                pakn::domain::fold::nfc(term),
                "seeded in NFC: {term}"
            );
        }
    }
    // One PAKN for each way of writing each group, that way in its title.
    let mut filed: Vec<Vec<String>> = Vec::new();
    for terms in &groups {
        let mut codes = Vec::new();
        for term in terms {
            let (_, code) = file_pakn(&app, &format!("Phản ánh {term}"), FILLER, 1).await;
            codes.push(code);
        }
        filed.push(codes);
    }
    let _ = app.take_mail().await;
    for (terms, codes) in groups.iter().zip(&filed) {
        for term in terms {
            let (found, html) = staff_search(&c, &app, term).await;
            for (other, code) in terms.iter().zip(codes) {
                assert!(
                    found.contains(code),
                    "{term:?} finds the PAKN that writes {other:?}: {found:?}"
                );
            }
            assert!(html.contains("<mark>"), "{term:?}: the words are marked");
        }
    }
    // Upper case and diacritics do not matter to an abbreviation either.
    let qsdd = groups
        .iter()
        .position(|g| g.iter().any(|t| t == "QSDĐ"))
        .expect("QSDĐ is seeded");
    for typed in ["qsdđ", "qsdd", "QSDD"] {
        let (found, _) = staff_search(&c, &app, typed).await;
        assert!(
            filed[qsdd].iter().all(|code| found.contains(code)),
            "{typed}"
        );
    }
    let (_, html) = staff_search(&c, &app, "BHXH").await;
    assert!(
        html.contains("Tìm cả: bảo hiểm xã hội"),
        "the page says what else it looked for"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_search_expands_abbreviations_ranks_titles_first_and_counts() {
    let app = TestApp::spawn().await;
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            file_pakn(&app, &format!("Phản ánh số {i}"), FILLER, 1)
                .await
                .0,
        );
    }
    let _ = app.take_mail().await;
    let so_bhxh = publish_copy(
        &app,
        ids[0],
        "Chậm cấp sổ BHXH cho người lao động",
        "Công ty đã nộp hồ sơ từ tháng 2.",
        day(2),
    )
    .await;
    let mot_lan = publish_copy(
        &app,
        ids[1],
        "Chậm chi trả bảo hiểm xã hội một lần",
        "Tôi nộp hồ sơ đã quá hạn.",
        day(3),
    )
    .await;
    let hoi = publish_copy(
        &app,
        ids[2],
        "Hỏi về thủ tục cấp lại giấy tờ",
        "Tôi bị mất <căn cước công dân> & thẻ BHXH, cần làm lại ở đâu?",
        day(9),
    )
    .await;
    let anon = client();
    let list = async |query: &str| -> (Vec<String>, String) {
        let html = page(&anon, &app, &format!("/answers?q={}", q(query))).await;
        let found = html
            .split("<h2><a href=\"/answers/")
            .skip(1)
            .filter_map(|s| s.split_once('"').map(|(id, _)| id.to_string()))
            .collect();
        (found, html)
    };
    for query in ["BHXH", "bảo hiểm xã hội", "bao hiem xa hoi"] {
        let (found, html) = list(query).await;
        // Title matches first, newest first; then the question's match.
        assert_eq!(
            found,
            vec![mot_lan.clone(), so_bhxh.clone(), hoi.clone()],
            "{query}"
        );
        assert!(html.contains("3 kết quả"), "{query}: the count");
    }
    for query in ["CCCD", "căn cước công dân", "căn cước"] {
        let (found, html) = list(query).await;
        assert_eq!(found, vec![hoi.clone()], "{query}");
        assert!(
            html.contains("&lt;<mark>căn cước công dân</mark>&gt; &amp; thẻ BHXH"),
            "{query}: the question's excerpt, marked and escaped: {html}"
        );
    }
    let (found, html) = list("CCCD").await;
    assert_eq!(found.len(), 1);
    assert!(html.contains("1 kết quả") && html.contains("Tìm cả: căn cước công dân, căn cước"));

    // The ranking is bounded: the newest `want` matches ranked, the count bounded too.
    let mut conn = app.conn().await;
    let synonyms = app.state.reference.get().synonyms.clone();
    let filter = AnswerFilter {
        query: synonyms.expand(&query_words("bhxh", 12)),
        ..Default::default()
    };
    for window in [0, 1, 2000] {
        let ranking = answers_search::rank(&mut conn, &filter, 2, window)
            .await
            .expect("rank");
        // The two newest matches, the title's first; the oldest follows.
        assert_eq!(
            ranking.ranked.ids,
            vec![mot_lan.clone(), hoi.clone()],
            "{window}"
        );
        assert!(ranking.ranked.rest_after.is_some());
        let n = answers_search::count_up_to(&mut conn, &filter, &ranking, 2, window)
            .await
            .expect("count");
        assert_eq!(n, 3, "past the bound: {window}");
        assert_eq!(count_text(&Tr::new(Lang::Vi), n, 2), "Hơn 2 kết quả");
        let n = answers_search::count_up_to(&mut conn, &filter, &ranking, 10, window)
            .await
            .expect("count");
        assert_eq!(n, 3, "exact under it: {window}");
        let (first, next) = answers_search::page_of(&mut conn, &ranking, &filter, 1, 2, window)
            .await
            .expect("page");
        let first: Vec<String> = first.into_iter().map(|r| r.public_id).collect();
        assert_eq!(first, ranking.ranked.ids);
        let Some(answers_search::NextPage::After(cursor)) = next else {
            panic!("the older matches follow by cursor: {next:?}");
        };
        let rest = AnswerFilter {
            after: Some(cursor),
            ..filter.clone()
        };
        let (older, more) = pakn::db::publication::list_with_window(&mut conn, &rest, 2, window)
            .await
            .expect("older");
        let older: Vec<String> = older.into_iter().map(|r| r.public_id).collect();
        assert_eq!((older, more), (vec![so_bhxh.clone()], false));
    }
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_edits_and_removes_a_group_and_search_follows_at_once() {
    let app = TestApp::spawn().await;
    let c = leader(&app).await;
    create_user(&app, ADMIN, &["admin"], None).await;
    let admin = client();
    login_ok(&app, &admin, ADMIN).await;
    let token = csrf(&app, &admin).await;
    let post = async |path: &str, terms: &str| -> (StatusCode, String, Option<String>) {
        let res = admin
            .post(app.url(path))
            .form(&[("csrf", token.as_str()), ("terms", terms)])
            .send()
            .await
            .expect("POST");
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, res.text().await.expect("body"), location)
    };
    let (_, short) = file_pakn(&app, "Kết quả ĐGNL chưa được công bố", FILLER, 1).await;
    let (_, long) = file_pakn(
        &app,
        "Lịch thi năng khiếu",
        "Kỳ thi đánh giá năng lực của trường bị hoãn mà không báo trước cho thí sinh.",
        2,
    )
    .await;
    let _ = app.take_mail().await;
    let (found, _) = staff_search(&c, &app, "đánh giá năng lực").await;
    assert_eq!(found, vec![long.clone()], "not yet a synonym");

    let (status, _, location) =
        post("/staff/admin/synonyms/new", "ĐGNL\r\nđánh giá năng lực\r\n").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some("/staff/admin/synonyms?done=created")
    );
    let (found, html) = staff_search(&c, &app, "đánh giá năng lực").await;
    assert_eq!(
        found,
        vec![short.clone(), long.clone()],
        "at once, title match first"
    );
    assert!(
        html.contains("<mark>ĐGNL</mark>"),
        "the abbreviation is marked"
    );
    let (found, _) = staff_search(&c, &app, "dgnl").await;
    assert_eq!(found, vec![short.clone(), long.clone()]);
    let listed = page(&admin, &app, "/staff/admin/synonyms?done=created").await;
    assert!(listed.contains("ĐGNL") && listed.contains("Đã thêm."));
    let id: i32 = search_synonyms::table
        .filter(search_synonyms::terms.contains(vec!["ĐGNL".to_string()]))
        .select(search_synonyms::id)
        .first(&mut app.conn().await)
        .await
        .expect("the new group");

    // Refused: a term of another group, one term alone (once folded), nothing.
    for (terms, says) in [
        (
            "ĐGNL\nTTHC",
            "Cách viết TTHC (TTHC = thủ tục hành chính) đã có trong một nhóm khác",
        ),
        ("năng lực\nNăng Lực", "Nhập ít nhất hai cách viết khác nhau"),
        ("\n  \n", "Vui lòng nhập mục này."),
    ] {
        let (status, body, _) = post(&format!("/staff/admin/synonyms/{id}"), terms).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{terms:?}");
        assert!(body.contains(says), "{terms:?}: {body}");
    }

    // Edited: another way of writing it joins the group.
    let (_, third) = file_pakn(&app, "Điểm thi ĐG năng lực sai", FILLER, 3).await;
    let _ = app.take_mail().await;
    let (status, _, _) = post(
        &format!("/staff/admin/synonyms/{id}"),
        "ĐGNL\nđánh giá năng lực\nĐG năng lực",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (found, _) = staff_search(&c, &app, "ĐGNL").await;
    assert_eq!(found, vec![short.clone(), third.clone(), long.clone()]);

    // Removed: the abbreviation is a word again.
    let res = admin
        .post(app.url(&format!("/staff/admin/synonyms/{id}/delete")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (found, _) = staff_search(&c, &app, "đánh giá năng lực").await;
    assert_eq!(found, vec![long.clone()]);
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::entity.eq("search_synonym"))
        .filter(audit_log::entity_id.eq(id.to_string()))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut app.conn().await)
        .await
        .expect("audit");
    assert_eq!(actions, vec!["create", "update", "delete"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_title_match_ranks_above_a_content_match_newest_first_among_equals() {
    let app = TestApp::spawn().await;
    let c = leader(&app).await;
    let content = "Việc tuyển dụng viên chức năm nay có nhiều điểm chưa rõ ràng.";
    let (_, d) = file_pakn(&app, "Đề nghị xem xét lại kết quả", content, 4).await;
    let (_, a) = file_pakn(&app, "Chậm tuyển dụng viên chức", FILLER, 3).await;
    let (_, b) = file_pakn(&app, "Hỏi về chế độ phụ cấp", content, 2).await;
    let (_, t) = file_pakn(&app, "Tuyển dụng giáo viên mầm non", FILLER, 1).await;
    let (_, e) = file_pakn(&app, "Thông báo tuyển sinh", content, 0).await;
    let _ = app.take_mail().await;
    // Both words in the title; one of them; only in the content: each newest first.
    let (found, html) = staff_search(&c, &app, "tuyển dụng").await;
    assert_eq!(
        found,
        vec![t.clone(), a.clone(), e.clone(), b.clone(), d.clone()]
    );
    assert!(html.contains("5 kết quả"), "the count");
    assert!(html.contains("data-testid=\"search-order\">Kết quả phù hợp nhất xếp trước"));
    assert!(
        html.contains("<mark>Tuyển</mark> <mark>dụng</mark> giáo viên"),
        "the title's words are marked"
    );
    assert!(
        html.contains("Việc <mark>tuyển</mark> <mark>dụng</mark> viên chức"),
        "and the content's, in the excerpt"
    );
    // A column's header sorts by it instead; a link brings relevance back.
    let (found, html) = staff_search_with(&c, &app, "tuyển dụng", "&sort=received&dir=desc").await;
    assert_eq!(
        found,
        vec![e.clone(), t.clone(), b.clone(), a.clone(), d.clone()]
    );
    assert!(html.contains("sort=relevance"), "the way back to relevance");
    let (found, _) = staff_search_with(&c, &app, "tuyển dụng", "&sort=received&dir=asc").await;
    assert_eq!(found, vec![d, a, b, t, e]);
    app.stop().await;
}

async fn staff_search_with(
    c: &reqwest::Client,
    app: &TestApp,
    query: &str,
    rest: &str,
) -> (Vec<String>, String) {
    let html = page(c, app, &format!("/staff/tickets?q={}{rest}", q(query))).await;
    (codes(&html), html)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bounded_ranking_pages_on_newest_first_and_counts_past_its_bound() {
    let app = TestApp::spawn().await;
    let mut filed = Vec::new();
    for i in 0..5 {
        // Odd ones say it in the title, even ones in the content; the oldest first.
        let (title, content) = if i % 2 == 1 {
            (format!("Sân bóng xã số {i} xuống cấp"), FILLER.to_string())
        } else {
            (
                format!("Phản ánh số {i}"),
                format!("Sân bóng của xã số {i} xuống cấp, đề nghị sửa chữa."),
            )
        };
        filed.push(file_pakn(&app, &title, &content, 10 - i).await.0);
    }
    let _ = app.take_mail().await;
    let synonyms = app.state.reference.get().synonyms.clone();
    let filter = QueueFilter {
        term: SearchTerm::parse("sân bóng", &synonyms),
        sort: Sort {
            key: SortKey::Relevance,
            descending: true,
        },
        ..Default::default()
    };
    let mut conn = app.conn().await;
    for window in [0, 1, 10_000] {
        let ranking =
            queue_search::rank(&mut conn, &filter, Scope::default(), due_dates(), 3, window)
                .await
                .expect("rank");
        // The three newest (4, 3, 2): the title's first (3), then 4, 2.
        assert_eq!(
            ranking.ranked.ids,
            vec![filed[3], filed[4], filed[2]],
            "window {window}"
        );
        for (bound, want) in [(3, 4), (4, 5), (10, 5)] {
            let n = queue_search::count_up_to(
                &mut conn,
                &filter,
                Scope::default(),
                due_dates(),
                &ranking,
                bound,
                window,
            )
            .await
            .expect("count");
            assert_eq!(n, want, "bound {bound}, window {window}");
        }
        assert_eq!(count_text(&Tr::new(Lang::Vi), 4, 3), "Hơn 3 kết quả");
        assert_eq!(count_text(&Tr::new(Lang::En), 4, 3), "More than 3 results");
        // Pages of two: the ranking, then the older ones newest first; each once.
        let mut seen = Vec::new();
        for offset in [0, 2, 4] {
            let paged = QueueFilter {
                offset,
                ..filter.clone()
            };
            let (rows, more) = queue_search::page(
                &mut conn,
                &ranking,
                &paged,
                Scope::default(),
                due_dates(),
                2,
                window,
            )
            .await
            .expect("page");
            assert_eq!(more, offset < 4, "offset {offset}");
            seen.extend(rows.into_iter().map(|r| r.id));
        }
        assert_eq!(
            seen,
            vec![filed[3], filed[4], filed[2], filed[1], filed[0]],
            "window {window}"
        );
    }
    drop(conn);
    app.stop().await;
}

/// A word common among the newest PAKN only: its count walks a few windows of them,
/// then asks the GIN index for the older ones.
#[tokio::test(flavor = "multi_thread")]
async fn a_word_common_only_lately_is_counted_past_the_walk() {
    let app = TestApp::spawn().await;
    file_pakn(&app, "Sân bóng cũ xuống cấp", FILLER, 20).await;
    for i in 0..9 {
        file_pakn(&app, &format!("Phản ánh số {i}"), FILLER, 19 - i).await;
    }
    file_pakn(&app, "Sân bóng mới chưa mở cửa", FILLER, 2).await;
    file_pakn(&app, "Sân bóng thiếu đèn", FILLER, 1).await;
    let _ = app.take_mail().await;
    let synonyms = app.state.reference.get().synonyms.clone();
    let filter = QueueFilter {
        term: SearchTerm::parse("sân bóng", &synonyms),
        ..Default::default()
    };
    let mut conn = app.conn().await;
    // A window of one: its two newest tickets both match, so the ranking (of one) comes
    // from the walk, and the count walks ten windows (ten tickets): two match there.
    let ranking = queue_search::rank(&mut conn, &filter, Scope::default(), due_dates(), 1, 1)
        .await
        .expect("rank");
    assert!(!ranking.from_index() && ranking.ranked.rest_after.is_some());
    let count = async |conn: &mut diesel_async::AsyncPgConnection, bound| {
        queue_search::count_up_to(
            conn,
            &filter,
            Scope::default(),
            due_dates(),
            &ranking,
            bound,
            1,
        )
        .await
        .expect("count")
    };
    assert_eq!(
        count(&mut conn, 1).await,
        2,
        "past the bound within the walk"
    );
    assert_eq!(count(&mut conn, 5).await, 3, "the oldest through the index");
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn marked_words_never_break_the_escaping() {
    let app = TestApp::spawn().await;
    let c = leader(&app).await;
    let (_, code) = file_pakn(
        &app,
        "<script>alert('TTHC')</script> & \"thủ tục hành chính\"",
        "Nội dung có <b>TTHC</b> &amp; <img src=x onerror=alert(1)> để thử.",
        1,
    )
    .await;
    let _ = app.take_mail().await;
    let (found, html) = staff_search(&c, &app, "TTHC").await;
    assert_eq!(found, vec![code]);
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "{html}"
    );
    assert!(
        html.contains(
            "&lt;script&gt;alert(&#39;<mark>TTHC</mark>&#39;)&lt;/script&gt; &amp; \
             &quot;<mark>thủ tục hành chính</mark>&quot;"
        ),
        "the title: {html}"
    );
    assert!(
        html.contains("&lt;b&gt;<mark>TTHC</mark>&lt;/b&gt; &amp;amp; &lt;img src=x"),
        "the excerpt: {html}"
    );
    app.stop().await;
}
