//! Issue 18, item 4: the queue as CSV or XLSX, with the page's filters and scope, the
//! contacts only for those who handle PAKN, a confidential PAKN withheld as in the
//! queue, and every export in the personal-data log.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{personal_data_views, tickets};
use reqwest::StatusCode;

use crate::auth::{client, create_user, get, login_ok};
use crate::support::app::TestApp;
use crate::workflow::{LEADER_EMAIL, file, people};

/// RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

async fn download(c: &reqwest::Client, app: &TestApp, path: &str) -> (String, Vec<u8>) {
    let res = get(c, app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let disposition = res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(disposition.starts_with("attachment; filename=\"pakn-"));
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (kind, res.bytes().await.expect("body").to_vec())
}

fn column(rows: &[Vec<String>], name: &str) -> Option<usize> {
    rows[0].iter().position(|h| h == name)
}

/// Three PAKN of the unit: one with a comma and quotes in its title, one confidential,
/// and one moved to another lĩnh vực (which the filter leaves out).
async fn fixture(app: &TestApp) -> (i64, i64, i64) {
    let (plain, _) = file(app, "Hồ sơ \"nâng lương\", chậm trả lời").await;
    let (secret, _) = file(app, "Tố cáo cán bộ xã").await;
    let (other, _) = file(app, "Việc làm: lĩnh vực khác").await;
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(secret))
        .set(tickets::confidential.eq(true))
        .execute(&mut conn)
        .await
        .expect("confidential");
    diesel::update(tickets::table.find(other))
        .set(tickets::field_code.eq("viec_lam"))
        .execute(&mut conn)
        .await
        .expect("field");
    (plain, secret, other)
}

const FILTER: &str = "?state=all&assignee=all&field=can_bo_cong_chuc";

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_export_keeps_the_filters_the_text_and_the_withholding() {
    let app = TestApp::spawn().await;
    let (plain, _secret, _other) = fixture(&app).await;
    people(&app).await;
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;

    // The queue page links to both exports with its own filters.
    let queue = get(&leader, app.url(&format!("/staff/tickets{FILTER}")))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        queue.contains(
            "/staff/tickets/export.csv?state=all&amp;field=can_bo_cong_chuc&amp;assignee=all"
        ) || queue.contains("/staff/tickets/export.csv?"),
        "{queue}"
    );
    assert!(queue.contains("/staff/tickets/export.xlsx?"));

    let (kind, bytes) =
        download(&leader, &app, &format!("/staff/tickets/export.csv{FILTER}")).await;
    assert_eq!(kind, "text/csv; charset=utf-8");
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "a byte-order mark for Excel"
    );
    let rows = parse_csv(std::str::from_utf8(&bytes[3..]).expect("UTF-8"));
    assert_eq!(rows.len(), 3, "the header and two PAKN: {rows:?}");
    let title = column(&rows, "Tiêu đề").expect("title column");
    let phone = column(&rows, "Số điện thoại").expect("a leader exports contacts");
    let email = column(&rows, "Thư điện tử").expect("email column");
    let address = column(&rows, "Địa chỉ").expect("address column");
    let sender = column(&rows, "Người gửi").expect("sender column");
    // Newest first: the confidential one was filed after the plain one.
    assert_eq!(rows[1][title], "(Nội dung được bảo mật)");
    assert_eq!(rows[1][sender], "");
    assert_eq!(rows[1][phone], "");
    assert_eq!(rows[1][email], "");
    assert_eq!(rows[2][title], "Hồ sơ \"nâng lương\", chậm trả lời");
    assert_eq!(rows[2][sender], "Nguyễn Thị Hoà");
    assert_eq!(rows[2][address], "12 Trần Hưng Đạo, phường Rạch Giá");
    assert_eq!(rows[2][email], "hoa.nguyen@example.vn");
    assert!(rows[2][phone].contains("0983"), "{:?}", rows[2]);
    assert_eq!(
        rows[2][column(&rows, "Ngày tiếp nhận").expect("date")].len(),
        10
    );
    assert!(
        !rows.iter().any(|r| r[title].contains("Việc làm")),
        "the filter holds"
    );

    // Recorded: the PAKN whose sender the file showed, once each, as an export.
    let mut conn = app.conn().await;
    let logged: Vec<(i64, String)> = personal_data_views::table
        .filter(personal_data_views::purpose.eq("export"))
        .select((personal_data_views::ticket_id, personal_data_views::purpose))
        .load(&mut conn)
        .await
        .expect("log");
    assert_eq!(logged, vec![(plain, "export".to_string())]);

    // An inspector's file has no contact columns at all.
    let inspector = client();
    login_ok(&app, &inspector, "thanhtra@sonoivu.vn").await;
    let (_, bytes) = download(
        &inspector,
        &app,
        &format!("/staff/tickets/export.csv{FILTER}"),
    )
    .await;
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    let rows = parse_csv(text);
    assert_eq!(rows.len(), 3);
    for name in ["Số điện thoại", "Thư điện tử", "Địa chỉ"] {
        assert!(column(&rows, name).is_none(), "{name} left out");
    }
    assert!(
        !text.contains("0983") && !text.contains("hoa.nguyen@") && !text.contains("Trần Hưng Đạo")
    );
    let _ = app.take_mail().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_xlsx_export_reads_back_and_others_get_nothing() {
    let app = TestApp::spawn().await;
    let (plain, _secret, _other) = fixture(&app).await;
    people(&app).await;
    create_user(&app, "dpo@sonoivu.vn", &["privacy"], None).await;
    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;
    let (kind, bytes) = download(
        &leader,
        &app,
        &format!("/staff/tickets/export.xlsx{FILTER}"),
    )
    .await;
    assert_eq!(
        kind,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX");
    let sheet = book.worksheet_range("PAKN").expect("the PAKN sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0][0], "Mã PAKN");
    let title = column(&rows, "Tiêu đề").expect("title");
    assert_eq!(rows[2][title], "Hồ sơ \"nâng lương\", chậm trả lời");
    assert_eq!(rows[1][title], "(Nội dung được bảo mật)");
    assert_eq!(
        rows[2][column(&rows, "Địa chỉ").expect("address")],
        "12 Trần Hưng Đạo, phường Rạch Giá"
    );
    let mut conn = app.conn().await;
    let logged: i64 = personal_data_views::table
        .filter(personal_data_views::purpose.eq("export"))
        .filter(personal_data_views::ticket_id.eq(plain))
        .count()
        .get_result(&mut conn)
        .await
        .expect("log");
    assert_eq!(logged, 1);

    // A data protection officer reads no PAKN in the queue, and exports none.
    let dpo = client();
    login_ok(&app, &dpo, "dpo@sonoivu.vn").await;
    for path in ["/staff/tickets/export.csv", "/staff/tickets/export.xlsx"] {
        assert_eq!(
            get(&dpo, app.url(path)).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let _ = app.take_mail().await;
    app.stop().await;
}
