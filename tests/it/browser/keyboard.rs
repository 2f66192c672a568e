//! Keyboard only: the citizen form filled and sent with Tab, typing, Space, arrow keys and
//! Enter, never the mouse; after every key that moves focus, the focused element must show
//! a visible focus style (an outline of 2 px or more, or a box shadow).

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

use crate::support::app::TestApp;
use crate::support::browser::{Browser, with_browser};
use crate::support::outbox::{DEPUTY, INSPECTION, mail_to};

/// How many Tabs may separate one field from the next (links and controls in between).
const MAX_TABS: usize = 40;

async fn press(b: &Browser, key: impl Into<char>) {
    let value = key.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value })
        .then(KeyAction::Up { value });
    if let Err(e) = b.client.perform_actions(keys).await {
        panic!("pressing {value:?}: {e}");
    }
}

/// Types `text` into the focused element.
async fn type_text(b: &Browser, text: &str) {
    let focused = match b.client.active_element().await {
        Ok(el) => el,
        Err(e) => panic!("no focused element: {e}"),
    };
    if let Err(e) = focused.send_keys(text).await {
        panic!("typing {text:?}: {e}");
    }
}

/// A description of the focused element and whether its focus can be seen.
async fn focused(b: &Browser) -> (String, bool) {
    let v = b
        .eval(
            r##"const el = document.activeElement;
            if (!el || el === document.body) return ["body", true];
            const s = getComputedStyle(el);
            const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
            const shadow = s.boxShadow && s.boxShadow !== "none";
            let d = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
              (el.name ? "[name=" + el.name + "]" : "") +
              " \"" + (el.innerText || el.value || "").trim().slice(0, 30) + "\"";
            return [d, outline || !!shadow];"##,
        )
        .await;
    (
        v[0].as_str().unwrap_or_default().to_owned(),
        v[1].as_bool().unwrap_or(false),
    )
}

async fn focus_matches(b: &Browser, css: &str) -> bool {
    let script = format!(
        "return document.activeElement !== null && document.activeElement.matches({});",
        Value::String(css.to_owned())
    );
    b.eval(&script).await == Value::Bool(true)
}

/// Presses Tab until the element matching `css` has focus, checking every stop on the way
/// shows its focus.
async fn tab_to(b: &Browser, css: &str) {
    for _ in 0..MAX_TABS {
        press(b, Key::Tab).await;
        let (what, visible) = focused(b).await;
        assert!(visible, "focus is not visible on {what}");
        if focus_matches(b, css).await {
            return;
        }
    }
    panic!("{css} not reached with {MAX_TABS} Tabs");
}

/// Presses the down arrow on the focused (closed) select until it shows `value`.
async fn arrow_to(b: &Browser, value: &str) {
    for _ in 0..60 {
        let now = b.eval("return document.activeElement.value;").await;
        if now.as_str() == Some(value) {
            return;
        }
        press(b, '\u{e015}').await; // ArrowDown
    }
    panic!("the option {value} was not reached with the arrow keys");
}

async fn checked(b: &Browser, css: &str) -> bool {
    let script = format!(
        "return document.querySelector({}).checked;",
        Value::String(css.to_owned())
    );
    b.eval(&script).await == Value::Bool(true)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_is_filled_and_sent_with_the_keyboard_alone_with_focus_always_visible() {
    let app = TestApp::spawn().await;
    let base = app.base.clone();
    let code = with_browser("keyboard", 1024, 768, async |b: &Browser| {
        b.goto(&format!("{base}/feedback/new")).await;
        b.wait_for("form.pakn-form").await;

        // The first Tab reaches the skip link, which shows itself and jumps to the content.
        press(b, Key::Tab).await;
        let (what, visible) = focused(b).await;
        assert!(what.starts_with("a "), "the skip link comes first: {what}");
        assert!(visible, "the skip link shows its focus");
        let shown = b
            .eval("return document.activeElement.getBoundingClientRect().left >= 0;")
            .await;
        assert_eq!(shown, Value::Bool(true), "the skip link comes on screen");
        b.screenshot("skip-link").await.expect("screenshot");
        press(b, Key::Enter).await;
        assert!(
            focus_matches(b, "main").await,
            "the skip link moves focus to the content"
        );

        tab_to(b, "#sk-individual").await;
        assert!(
            checked(b, "#sk-individual").await,
            "an individual by default"
        );
        tab_to(b, "#full_name").await;
        type_text(b, "Trần Văn Bình").await;
        tab_to(b, "#address").await;
        type_text(b, "45 Nguyễn Trãi, phường Long Xuyên, An Giang").await;
        tab_to(b, "#phone").await;
        type_text(b, "0912 345 678").await;
        tab_to(b, "#email").await;
        type_text(b, "binh.tran@example.vn").await;
        // Tab enters the radio group on its first button; Space chooses it.
        tab_to(b, "input[name=kind]").await;
        press(b, Key::Space).await;
        assert!(
            checked(b, "input[name=kind][value=phan_anh]").await,
            "Space chose phản ánh"
        );
        tab_to(b, "#content_category").await;
        arrow_to(b, "cham_tre_phien_ha").await;
        tab_to(b, "#field").await;
        arrow_to(b, "can_bo_cong_chuc").await;
        tab_to(b, "#title").await;
        type_text(b, "Hồ sơ nâng lương bị trả lại nhiều lần").await;
        tab_to(b, "#content").await;
        type_text(
            b,
            "Hồ sơ nâng lương thường xuyên của tôi bị trả lại ba lần, mỗi lần một lý do khác.",
        )
        .await;
        b.screenshot("filled").await.expect("screenshot");

        // Sent without the consent: the error summary takes focus; its link leads to the box.
        tab_to(b, "form.pakn-form button[type=submit]").await;
        press(b, Key::Enter).await;
        b.wait_for("#error-summary").await;
        assert!(
            focus_matches(b, "#error-summary").await,
            "the error summary has focus"
        );
        let (_, visible) = focused(b).await;
        assert!(visible, "the error summary shows its focus");
        b.screenshot("error-summary").await.expect("screenshot");
        tab_to(b, "#error-summary a[href='#consent']").await;
        press(b, Key::Enter).await;
        assert!(
            focus_matches(b, "#consent").await,
            "the link moves focus to the box"
        );
        press(b, Key::Space).await;
        assert!(checked(b, "#consent").await, "Space ticked the consent");
        let (_, visible) = focused(b).await;
        assert!(visible, "the consent box shows its focus");
        b.screenshot("consent").await.expect("screenshot");
        tab_to(b, "form.pakn-form button[type=submit]").await;
        press(b, Key::Enter).await;

        let code = b.text("[data-testid=tracking-code]").await;
        b.screenshot("receipt").await.expect("screenshot");
        code
    })
    .await;
    assert_eq!(code.len(), 12, "shown as XXXX-XXXX-XX: {code}");
    let mut conn = app.conn().await;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use pakn::db::schema::tickets;
    let (title, phone): (String, String) = tickets::table
        .select((tickets::title, tickets::phone))
        .first(&mut conn)
        .await
        .expect("one ticket");
    assert_eq!(title, "Hồ sơ nâng lương bị trả lại nhiều lần");
    assert_eq!(phone, "0912345678");
    drop(conn);
    assert_eq!(
        app.take_mail().await.who(),
        [
            ("ack", mail_to(&["binh.tran@example.vn"])),
            ("notify", mail_to(&[INSPECTION]).cc(&[DEPUTY])),
        ]
    );
    app.stop().await;
}
