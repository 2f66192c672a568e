//! Issue 20, item 1: Open311's service requests. `POST requests` files a PAKN with a
//! client's key (form-urlencoded, bracketed attributes, the key in the body or the query;
//! a missing or wrong key a 403 that files nothing; refused fields described in the
//! caller's language; sent again, the same request); `GET requests` lists only published
//! copies, without personal data, within 90 days, with its filters; a request by id and
//! a token; and the `georeport` client from PyPI reads services and requests.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::tickets;
use reqwest::StatusCode;
use serde_json::Value;

use crate::api::add_client;
use crate::support::app::TestApp;
use crate::support::outbox::filing_mail;

/// A citizen's request as a civic app sends it.
const FILING: &[(&str, &str)] = &[
    ("service_code", "bao_hiem_xa_hoi"),
    ("attribute[content_category]", "cham_tre_phien_ha"),
    ("attribute[kind]", "phan_anh"),
    ("attribute[consent]", "yes"),
    ("first_name", "Nguyễn Thị"),
    ("last_name", "Hoà"),
    ("phone", "0983 570 009"),
    ("email", "hoa.nguyen@example.vn"),
    ("lat", "10.01"),
    ("long", "105.08"),
    (
        "description",
        "Hồ sơ hưởng bảo hiểm xã hội một lần nộp ngày 02/10/2026 đã quá hạn mà chưa có kết quả.",
    ),
    // Empty is absent.
    ("address_string", ""),
];

async fn send(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    lang: &str,
) -> (StatusCode, String) {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let res = reqwest::Client::new()
        .post(app.url(path))
        .header("Accept-Language", lang)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST");
    (res.status(), res.text().await.expect("body"))
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = reqwest::Client::new()
        .get(app.url(path))
        .header("Accept-Language", "vi")
        .send()
        .await
        .expect("GET");
    (res.status(), res.text().await.expect("body"))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Publishes ticket `public_id`'s copy as the publication screen would leave it.
async fn publish(app: &TestApp, public_id: &str) {
    diesel::sql_query(
        "WITH t AS (
             UPDATE tickets SET status = 'answered', answered_at = now()
              WHERE public_id = $1 RETURNING id, field_code)
         INSERT INTO public_answers (public_id, ticket_id, field_code, title, question, answer,
                                     answered_on, search_text, published_at)
         SELECT 'zzzzzzzzzzzzzzzz', t.id, t.field_code, 'Hồ sơ bảo hiểm xã hội quá hạn',
                'Hồ sơ của [đã ẩn] đã quá hạn.', 'Sở đã chỉ đạo giải quyết.', current_date,
                'ho so bao hiem', now()
           FROM t",
    )
    .bind::<diesel::sql_types::Text, _>(public_id)
    .execute(&mut app.conn().await)
    .await
    .expect("publish");
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_are_filed_with_a_key_and_listed_once_published() {
    let app = TestApp::spawn().await;
    let key = add_client(&app, "Ứng dụng Công dân số", "api").await;

    // No key, a wrong key: 403, nothing filed.
    let (status, body) = send(&app, "/open311/v2/requests.json", FILING, "vi").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(json(&body)[0]["code"], 403);
    assert!(
        json(&body)[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("khoá API"))
    );
    let wrong = [FILING, &[("api_key", "pakn_abc_def")]].concat();
    let (status, _) = send(&app, "/open311/v2/requests.json", &wrong, "vi").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let count = || async {
        tickets::table
            .count()
            .get_result::<i64>(&mut app.conn().await)
            .await
            .expect("count")
    };
    assert_eq!(count().await, 0);

    // Refused fields, described in the caller's language and naming Open311's names.
    let bad: Vec<(&str, &str)> = FILING
        .iter()
        .filter(|(k, _)| !matches!(*k, "service_code" | "attribute[consent]" | "phone"))
        .copied()
        .chain([("api_key", key.as_str())])
        .collect();
    let (status, body) = send(&app, "/open311/v2/requests.json", &bad, "en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let described: Vec<String> = json(&body)
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["description"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        described.iter().any(|d| d.contains("service_code")),
        "{described:?}"
    );
    assert!(
        described.iter().any(|d| d.contains("attribute[consent]")),
        "{described:?}"
    );
    assert!(
        described.iter().any(|d| d.starts_with("Phone")),
        "{described:?}"
    );
    let (status, xml) = send(&app, "/open311/v2/requests.xml", &bad, "vi").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        xml.starts_with("<?xml") && xml.contains("<errors><error><code>400</code>"),
        "{xml}"
    );
    assert_eq!(count().await, 0);

    // Filed, the key in the query: the form's PAKN, routing and mail.
    let path = format!("/open311/v2/requests.json?api_key={key}");
    let (status, body) = send(&app, &path, FILING, "vi").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let filed = json(&body);
    let id = filed[0]["service_request_id"]
        .as_str()
        .expect("an id")
        .to_string();
    assert_eq!(id.len(), 16);
    let (code, name, address, channel): (String, Option<String>, String, String) = tickets::table
        .filter(tickets::public_id.eq(&id))
        .select((
            tickets::code,
            tickets::full_name,
            tickets::address,
            tickets::channel,
        ))
        .first::<(
            String,
            Option<String>,
            String,
            pakn::domain::feedback::Channel,
        )>(&mut app.conn().await)
        .await
        .map(|(c, n, a, ch)| (c, n, a, ch.as_str().to_string()))
        .expect("the ticket");
    assert!(
        filed[0]["service_notice"]
            .as_str()
            .is_some_and(|n| n.contains(&code))
    );
    assert_eq!(name.as_deref(), Some("Nguyễn Thị Hoà"));
    assert_eq!(
        address, app.state.cfg.site.address,
        "no address: the department's"
    );
    assert_eq!(channel, "api");
    assert_eq!(app.take_mail().await.who(), filing_mail());
    // Sent again (a retry): the same request, no second PAKN, no mail.
    let (_, again) = send(&app, &path, FILING, "vi").await;
    assert_eq!(json(&again)[0]["service_request_id"], id.as_str());
    assert_eq!(count().await, 1);
    assert!(app.take_mail().await.is_empty());

    // Not published: unknown to the public, seen by its client without text.
    let (status, body) = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = get(
        &app,
        &format!("/open311/v2/requests/{id}.json?api_key={key}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let own = json(&body);
    assert_eq!(
        (own[0]["status"].as_str(), own[0]["description"].as_str()),
        (Some("open"), Some(""))
    );
    let (listed, body) = get(&app, "/open311/v2/requests.json").await;
    assert_eq!(
        (listed, json(&body)),
        (StatusCode::OK, serde_json::json!([]))
    );

    // Published: listed, closed, the public copy's words and nothing of the citizen.
    publish(&app, &id).await;
    let (_, body) = get(&app, "/open311/v2/requests.json").await;
    let list = json(&body);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{body}");
    let r = &list[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "closed");
    assert_eq!(r["service_code"], "bao_hiem_xa_hoi");
    assert!(
        r["description"]
            .as_str()
            .is_some_and(|d| d.contains("[đã ẩn]"))
    );
    assert!(
        r["requested_datetime"]
            .as_str()
            .is_some_and(|t| t.ends_with("+07:00"))
    );
    for personal in ["Nguyễn", "0983", "hoa.nguyen", "Hoà", &code] {
        assert!(!body.contains(personal), "{personal} in {body}");
    }
    // Filters: each excludes it or keeps it; an id overrides the rest.
    for (query, n) in [
        ("status=open", 0),
        ("status=closed", 1),
        ("status=open,closed", 1),
        ("service_code=dat_dai", 0),
        ("service_code=dat_dai,bao_hiem_xa_hoi", 1),
        (
            "start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z",
            0,
        ),
        (&format!("service_request_id={id}&status=open"), 1),
        ("page=2&page_size=1", 0),
        ("status=&service_code=", 1),
    ] {
        let (status, body) = get(&app, &format!("/open311/v2/requests.json?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(
            json(&body).as_array().map(Vec::len),
            Some(n),
            "{query}: {body}"
        );
    }
    let (status, body) = get(
        &app,
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        json(&body)[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("90 ngày"))
    );
    // XML: one <request> in <service_requests>; by id a one-element list; the token.
    let (_, xml) = get(&app, "/open311/v2/requests.xml").await;
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>"),
        "{xml}"
    );
    assert!(xml.contains(&format!("<service_request_id>{id}</service_request_id>")));
    let (status, body) = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(
        (status, json(&body).as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    let (status, body) = get(&app, &format!("/open311/v2/tokens/{id}.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)[0]["service_request_id"], id.as_str());
    let (status, _) = get(&app, "/open311/v2/requests/khongco.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, &format!("/open311/v2/requests/{id}.html")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The georeport client from PyPI reads services and requests, in both formats.
    let script = r#"
import json, sys
from georeport import GeoReport
out = {}
for fmt in ("json", "xml"):
    g = GeoReport(sys.argv[1], output_format=fmt)
    services = g.get_service_list()
    definition = g.get_service_definition("bao_hiem_xa_hoi")
    requests = g.get_service_requests()
    one = g.get_service_request(sys.argv[2])
    out[fmt] = {
        "services": len(services),
        "definition": json.dumps(definition, ensure_ascii=False),
        "requests": json.dumps(requests, ensure_ascii=False),
        "one": json.dumps(one, ensure_ascii=False),
    }
print(json.dumps(out))
"#;
    let out = tokio::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(app.url("/open311/v2"))
        .arg(&id)
        .output()
        .await
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = json(&stdout);
    for fmt in ["json", "xml"] {
        let r = &read[fmt];
        assert!(r["services"].as_u64().is_some_and(|n| n > 1), "{fmt}: {r}");
        assert!(
            r["definition"]
                .as_str()
                .is_some_and(|d| d.contains("content_category")),
            "{r}"
        );
        assert!(
            r["requests"].as_str().is_some_and(|d| d.contains(&id)),
            "{fmt}: {r}"
        );
        assert!(
            r["one"].as_str().is_some_and(|d| d.contains(&id)),
            "{fmt}: {r}"
        );
    }
    app.stop().await;
}
