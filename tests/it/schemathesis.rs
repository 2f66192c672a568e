//! Issue 20: Schemathesis (PyPI) runs against `/api/v1/openapi.json` with a key of both
//! scopes (`file`, and `staff` as the demo leader) and finds no server error and no
//! answer outside the document: every status, content type, header and body as declared.

use tokio::process::Command;

use crate::api::cli;
use crate::support::app::TestApp;
use crate::workflow::{LEADER_EMAIL, file, people};

/// The checks: errors, and conformance of each answer to the document.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_server_error_and_nothing_outside_the_document() {
    let app = TestApp::spawn().await;
    people(&app).await;
    file(&app, "Hồ sơ thi tuyển chậm").await;
    let (code, out) = cli(
        &app,
        &[
            "add",
            "--name",
            "Schemathesis",
            "--scope",
            "file",
            "--scope",
            "staff",
            "--acts-as",
            LEADER_EMAIL,
            "--rate-per-min",
            "1000000",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let key = out.lines().find(|l| l.starts_with("pakn_")).expect("a key");
    let reports = tempfile::tempdir().expect("a directory");
    let run = Command::new("schemathesis")
        .args(["run", &app.url("/api/v1/openapi.json")])
        .args(["--url", &app.url("")])
        .args(["--checks", CHECKS])
        .args(["--header", &format!("Authorization: Bearer {key}")])
        .args([
            "--max-examples",
            "25",
            "--seed",
            "20261205",
            "--workers",
            "2",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--report-dir"])
        .arg(reports.path())
        .env("NO_COLOR", "1")
        // Its cache of crashes goes with the reports, not into the checkout.
        .current_dir(reports.path())
        .output()
        .await
        .expect("schemathesis (pip install schemathesis)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "{said}");
    let _ = app.take_mail().await;
    app.stop().await;
}

/// The page that reads the document for people, at 360 and 1280 px: every operation
/// listed. Screenshots in `target/screenshots/api-docs-{360,1280}/`.
#[tokio::test(flavor = "multi_thread")]
async fn the_api_page_lists_every_operation_in_a_browser() {
    use crate::support::browser::{Browser, with_browser};

    let app = TestApp::spawn().await;
    for width in [360, 1280] {
        let base = app.base.clone();
        with_browser(
            &format!("api-docs-{width}"),
            width,
            1400,
            async |b: &Browser| {
                b.goto(&format!("{base}/api/v1/docs")).await;
                b.wait_for("main h1").await;
                assert!(b.text("main h1").await.contains("API"));
                let ops = b
                    .eval("return document.querySelectorAll('section.api-op').length")
                    .await;
                assert_eq!(ops, 5);
                b.screenshot("docs").await.expect("screenshot");
            },
        )
        .await;
    }
    app.stop().await;
}
