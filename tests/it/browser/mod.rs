//! Issue 7 in real Chromium (see `support::browser`): accessibility (axe-core), the look
//! (no sideways scrolling at 320 px, readable inputs, tap targets, titles and languages),
//! the keyboard, the pages without JavaScript and the whole journey of a PAKN.
//! Screenshots go to `target/screenshots/<test>/`.

mod a11y;
mod citizen_screens;
mod filing_on_a_phone;
mod journey;
mod keyboard;
mod look;
mod no_javascript;
mod queue_tools;
mod reports;
mod search_words;
mod staff_screens;
mod ticket_page;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{privacy_requests, public_answers, tickets};
use pakn::domain::workflow::Action;
use pakn::handling::Context;
use pakn::handling::rating::{Rating, RatingInput, rate};
use reqwest::StatusCode;

use crate::auth::{PASSWORD, UNIT, client, create_user, csrf, login_ok};
use crate::filing::{form_of, fresh_form, post, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::browser::Browser;
use crate::support::outbox::{CITIZEN, mail_to};
use crate::workflow::{LEADER_EMAIL, OFFICER_EMAIL, filed_mail, full_step, people, step_at};

/// A citizen's view of a PAKN: its private path and its code as stored.
pub struct Filed {
    pub id: i64,
    pub code: String,
    pub path: String,
}

/// Files a PAKN handled by [`UNIT`] (with consent to publish) over HTTP.
pub async fn file(app: &TestApp, title: &str) -> Filed {
    let token = fresh_form(app).await;
    let fields = with(
        &with(
            &with(
                &with(&valid_fields(&token), "field", "can_bo_cong_chuc"),
                "content_category",
                "khac",
            ),
            "title",
            title,
        ),
        "publish_consent",
        "1",
    );
    let (status, body, location) = post(app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let path = location.expect("the private page");
    let token = path.trim_start_matches("/t/").to_string();
    let mut conn = app.conn().await;
    let (id, code) = tickets::table
        .filter(tickets::access_token.eq(&token))
        .select((tickets::id, tickets::code))
        .first(&mut conn)
        .await
        .expect("the filed ticket");
    Filed { id, code, path }
}

/// The staff member who sees every staff page: an officer of [`UNIT`], leader and admin.
pub const CHIEF: &str = "qt@sonoivu.vn";

/// An instance with PAKN in the states a citizen meets, and one published answer.
pub struct Site {
    pub app: TestApp,
    /// Just filed.
    pub filed: Filed,
    /// Waiting for the citizen's information (the answer form shows).
    pub asked: Filed,
    /// Answered, not rated yet (the reply and the rating form show).
    pub answered: Filed,
    /// Answered, rated and published.
    pub published: Filed,
    pub public_id: String,
    /// A data-subject request of the citizen (by email).
    pub privacy_request: i64,
}

impl Site {
    pub async fn build() -> Site {
        let app = TestApp::spawn().await;
        let p = people(&app).await;
        let chief = create_user(&app, CHIEF, &["officer", "leader", "admin"], Some(UNIT)).await;
        // A role waiting for a second admin, so that the users page shows the request.
        let second = create_user(&app, "qt2@sonoivu.vn", &["admin"], None).await;
        diesel::insert_into(pakn::db::schema::role_grants::table)
            .values((
                pakn::db::schema::role_grants::user_id.eq(second),
                pakn::db::schema::role_grants::roles.eq(vec!["inspector".to_string()]),
                pakn::db::schema::role_grants::requested_by.eq(chief),
            ))
            .execute(&mut app.conn().await)
            .await
            .expect("a waiting role");
        let unit_id = crate::auth::unit_id(&app, UNIT).await;
        let filed = file(&app, "Chậm giải quyết hồ sơ thi tuyển công chức").await;
        let asked = file(&app, "Không được hướng dẫn hồ sơ nâng ngạch").await;
        let answered = file(&app, "Chưa nhận quyết định nghỉ hưu").await;
        let published = file(&app, "Chậm chi trả phụ cấp công vụ").await;
        let now = chrono::Utc::now();
        step_at(
            &app,
            asked.id,
            &p.officer,
            full_step(Action::AskInfo, 0, 0, ""),
            now,
        )
        .await
        .expect("ask for information");
        for t in [&answered, &published] {
            crate::workflow::answer(&app, &p, t.id).await;
        }
        {
            let state = app.state();
            let reference = state.reference.get();
            let ctx = Context {
                cfg: &state.cfg,
                reference: &reference,
                now,
            };
            let mut conn = app.conn().await;
            let input = RatingInput {
                rating: Rating::Satisfied,
                comment: "Cảm ơn Sở đã trả lời nhanh.".into(),
                not_resolved: false,
            };
            rate(&mut conn, &ctx, published.id, input)
                .await
                .expect("rate");
        }
        let _ = unit_id;
        let officer = client();
        login_ok(&app, &officer, "cv@sonoivu.vn").await;
        let token = csrf(&app, &officer).await;
        let res = officer
            .post(app.url(&format!("/staff/tickets/{}/publication", published.code)))
            .form(&[
                ("csrf", token.as_str()),
                ("action", "publish"),
                ("title", "Phụ cấp công vụ chi trả chậm"),
                (
                    "question",
                    "Người gửi phản ánh phụ cấp công vụ quý III/2026 chưa được chi trả.",
                ),
                (
                    "answer",
                    "Sở Nội vụ đã đề nghị Sở Tài chính cấp bổ sung kinh phí; phụ cấp được chi \
                     trả trước ngày 15/10/2026.",
                ),
            ])
            .send()
            .await
            .expect("publish");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "published");
        // Who the site's history mailed: the unit's officer and CHIEF (its head: the unit
        // has a leader of its own) of each new PAKN; the citizen of the question, both
        // answers and the publication; every leader (CHIEF is one) of each draft.
        // Ratings mail nobody.
        let mut new_pakn = filed_mail();
        new_pakn.push(("notify_unit", mail_to(&[OFFICER_EMAIL, CHIEF])));
        let mut want = [
            new_pakn.clone(),
            new_pakn.clone(),
            new_pakn.clone(),
            new_pakn,
        ]
        .concat();
        want.push(("update.ask_info", mail_to(&[CITIZEN])));
        for _ in 0..2 {
            want.push(("update.submit_draft", mail_to(&[LEADER_EMAIL, CHIEF])));
            want.push(("update.approve", mail_to(&[CITIZEN])));
        }
        want.push(("published", mail_to(&[CITIZEN])));
        assert_eq!(app.take_mail().await.who(), want);
        let mut conn = app.conn().await;
        let public_id = public_answers::table
            .filter(public_answers::ticket_id.eq(published.id))
            .select(public_answers::public_id)
            .first(&mut conn)
            .await
            .expect("the public copy");
        let privacy_request = diesel::insert_into(privacy_requests::table)
            .values((
                privacy_requests::kind.eq("access"),
                privacy_requests::name.eq("Nguyễn Thị Hoà"),
                privacy_requests::contact.eq(CITIZEN),
                privacy_requests::body.eq("Đề nghị cho tôi xem dữ liệu cá nhân của tôi."),
                privacy_requests::due_on.eq(pakn::domain::calendar::local_date(chrono::Utc::now())),
            ))
            .returning(privacy_requests::id)
            .get_result(&mut conn)
            .await
            .expect("a privacy request");
        Site {
            app,
            filed,
            asked,
            answered,
            published,
            public_id,
            privacy_request,
        }
    }

    /// The public pages reached by a plain GET: (name, path).
    pub fn public_pages(&self) -> Vec<(&'static str, String)> {
        vec![
            ("home", "/".into()),
            ("home-en", "/?lang=en".into()),
            ("form", "/feedback/new?lang=vi".into()),
            ("receipt", self.filed.path.clone()),
            ("track-needs-info", self.asked.path.clone()),
            ("track-answered", self.answered.path.clone()),
            ("track-rated-published", self.published.path.clone()),
            ("track-lookup", "/track".into()),
            ("track-forgot", "/track/forgot".into()),
            ("directory", "/directory".into()),
            ("privacy", "/privacy".into()),
            ("answers", "/answers".into()),
            // A search: its count, the words marked in titles and excerpts.
            (
                "answers-search",
                "/answers?q=ph%E1%BB%A5+c%E1%BA%A5p".into(),
            ),
            ("answer", format!("/answers/{}", self.public_id)),
        ]
    }

    /// The main staff pages, for [`CHIEF`] once signed in: (name, path).
    pub fn staff_pages(&self) -> Vec<(&'static str, String)> {
        vec![
            ("queue", "/staff/tickets".into()),
            // "hồ sơ", expanded with its abbreviation "HS", marked in the results.
            ("queue-search", "/staff/tickets?q=h%E1%BB%93+s%C6%A1".into()),
            ("ticket-new", format!("/staff/tickets/{}", self.filed.code)),
            (
                "ticket-answered",
                format!("/staff/tickets/{}", self.answered.code),
            ),
            (
                "publication",
                format!("/staff/tickets/{}/publication", self.published.code),
            ),
            ("overview", "/staff/overview".into()),
            ("admin", "/staff/admin".into()),
            ("synonyms", "/staff/admin/synonyms".into()),
            ("synonym-form", "/staff/admin/synonyms/new".into()),
            ("api-clients", "/staff/admin/api-clients".into()),
            ("reports", "/staff/reports".into()),
            ("users", "/staff/users".into()),
            ("personal-data", "/staff/personal-data".into()),
            ("account", "/staff/account".into()),
            // Enrolment in the second factor: the QR code and the secret as text.
            ("second-factor", "/staff/account/second-factor".into()),
            ("privacy-requests", "/staff/privacy".into()),
            (
                "privacy-request",
                format!("/staff/privacy/{}", self.privacy_request),
            ),
        ]
    }

    pub async fn stop(self) {
        self.app.stop().await;
    }
}

/// Signs in through the login page and waits for the queue.
pub async fn sign_in(b: &Browser, base: &str, email: &str) {
    b.goto(&format!("{base}/staff/login")).await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("form[action='/staff/login'] button[type=submit]")
        .await;
    b.wait_for("table.queue, .wide-content h1").await;
}

/// The form with every error: sent empty.
pub async fn form_with_errors(b: &Browser, base: &str) {
    b.goto(&format!("{base}/feedback/new")).await;
    b.click("form.pakn-form button[type=submit]").await;
    b.wait_for("#error-summary").await;
}
