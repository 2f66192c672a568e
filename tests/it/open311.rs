//! Issue 20, item 1 (first part): Open311 GeoReport v2 discovery, services and service
//! definitions, against the rules of `../shared/docs/open311.md` that apply to them: the
//! format as the last segment's suffix (any other a 404), XML with its declaration and
//! JSON with bare arrays and string codes, errors as `[{"code","description"}]` in the
//! caller's language.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::app::TestApp;

async fn fetch(app: &TestApp, path: &str, lang: &str) -> (StatusCode, String, String) {
    let res = reqwest::Client::new()
        .get(app.url(path))
        .header("Accept-Language", lang)
        .send()
        .await
        .expect("GET");
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, kind, res.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_and_services_in_both_formats() {
    let app = TestApp::spawn().await;
    let (status, kind, body) = fetch(&app, "/open311/v2/discovery.json", "vi").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/json"));
    let discovery: Value = serde_json::from_str(&body).expect("json");
    let endpoint = &discovery["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(
        endpoint["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/open311/v2"))
    );
    assert!(
        discovery["changeset"]
            .as_str()
            .is_some_and(|c| c.ends_with("+07:00"))
    );

    let (_, kind, xml) = fetch(&app, "/open311/v2/discovery.xml", "vi").await;
    assert!(kind.starts_with("text/xml"));
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><discovery>"));
    assert!(
        xml.contains(
            "<formats><format>text/xml</format><format>application/json</format></formats>"
        )
    );

    // Services: one per lĩnh vực, a bare array, codes as strings.
    let (status, _, body) = fetch(&app, "/open311/v2/services.json", "vi").await;
    assert_eq!(status, StatusCode::OK);
    let services: Value = serde_json::from_str(&body).expect("json");
    let list = services.as_array().expect("a bare array");
    let bhxh = list
        .iter()
        .find(|s| s["service_code"] == "bao_hiem_xa_hoi")
        .expect("the lĩnh vực of social insurance");
    assert!(bhxh["service_code"].is_string());
    assert_eq!(bhxh["metadata"], true);
    assert_eq!(bhxh["type"], "realtime");
    let (_, _, english) = fetch(&app, "/open311/v2/services.json", "en").await;
    assert_ne!(english, body, "names in the caller's language");
    let (_, _, xml) = fetch(&app, "/open311/v2/services.xml", "vi").await;
    assert_eq!(
        xml.matches("<service>").count(),
        list.len(),
        "one <service> per item"
    );

    // A definition: the content category and the kind, as lists of values.
    let (status, _, body) = fetch(&app, "/open311/v2/services/bao_hiem_xa_hoi.json", "vi").await;
    assert_eq!(status, StatusCode::OK);
    let def: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(def["service_code"], "bao_hiem_xa_hoi");
    let attributes = def["attributes"].as_array().expect("attributes");
    let codes: Vec<&str> = attributes
        .iter()
        .filter_map(|a| a["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "content_category",
            "kind",
            "title",
            "consent",
            "publish_consent"
        ]
    );
    let kinds: Vec<&str> = attributes[1]["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["key"].as_str())
        .collect();
    assert_eq!(kinds, ["phan_anh", "kien_nghi"]);
    let (_, _, xml) = fetch(&app, "/open311/v2/services/bao_hiem_xa_hoi.xml", "vi").await;
    assert!(xml.contains("<service_definition><service_code>bao_hiem_xa_hoi</service_code>"));
    assert!(xml.contains("<value><key>phan_anh</key><name>Phản ánh</name></value>"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_formats_and_services_are_404_with_a_described_error() {
    let app = TestApp::spawn().await;
    for path in [
        "/open311/v2/services.html",
        "/open311/v2/services",
        "/open311/v2/nothing.json",
        "/open311/v2/services/bao_hiem_xa_hoi.csv",
    ] {
        let (status, _, _) = fetch(&app, path, "vi").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _, body) = fetch(&app, "/open311/v2/services/khong_co.json", "vi").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let errors: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(errors[0]["code"], 404);
    assert_eq!(
        errors[0]["description"],
        "Không có lĩnh vực (service_code) này."
    );
    let (_, _, english) = fetch(&app, "/open311/v2/services/khong_co.json", "en-US").await;
    assert!(english.contains("No such lĩnh vực"), "{english}");
    let (_, kind, xml) = fetch(&app, "/open311/v2/services/khong_co.xml", "vi").await;
    assert!(kind.starts_with("text/xml"));
    assert!(xml.contains("<errors><error><code>404</code><description>"));
    app.stop().await;
}
