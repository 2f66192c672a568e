//! `/staff/admin/reasons`: refusal and closing reason templates, each with a purpose
//! (rejected, needs-info expired, out of scope, closed) and its Vietnamese and English
//! text.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::screen::{Key, NoQuery, Screen};
use super::{code, flags, on};
use crate::db::admin::reasons::{self, ReasonInput, ReasonRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::Fields;
use crate::web::kit::form_view::{Input, ListRow, Opt};

pub struct ReasonsScreen;

/// The message id of a purpose's label.
fn purpose_label(purpose: &str) -> String {
    format!("admin-purpose-{}", purpose.replace('_', "-"))
}

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    code: String,
    purpose: String,
    text_vi: String,
    text_en: String,
    active: bool,
    sort: String,
}

impl Screen for ReasonsScreen {
    type Record = ReasonRow;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = "/staff/admin/reasons";
    const TITLE: &'static str = "admin-reasons";

    async fn records(conn: &mut AsyncPgConnection, _: &NoQuery) -> QueryResult<Vec<ReasonRow>> {
        reasons::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![
            t.t("admin-reason-purpose"),
            t.t("admin-code"),
            t.t("admin-reason-text"),
        ]
    }

    fn rows(t: Tr, _: &AppState, records: Vec<ReasonRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|r| ListRow {
                id: format!("reason-{}", r.id),
                flags: flags(t, &[(!r.active, "admin-flag-inactive")]),
                cells: vec![
                    vec![t.t(&purpose_label(&r.purpose))],
                    vec![r.code],
                    vec![r.text_vi, r.text_en],
                ],
                edit_href: Some(format!("{}/{}", Self::LIST, r.id)),
                inactive: !r.active,
                actions: Vec::new(),
            })
            .collect()
    }

    fn blank(_: &NoQuery) -> Form {
        Form {
            active: true,
            ..Form::default()
        }
    }

    fn of(r: &ReasonRow) -> Form {
        Form {
            code: r.code.clone(),
            purpose: r.purpose.clone(),
            text_vi: r.text_vi.clone(),
            text_en: r.text_en.clone(),
            active: r.active,
            sort: r.sort.to_string(),
        }
    }

    fn read(f: &Fields, _: &AppState, existing: Option<&ReasonRow>) -> Form {
        Form {
            code: code(f, existing.map(|r| r.code.as_str())),
            purpose: f.get("purpose").to_string(),
            text_vi: f.get("text_vi").to_string(),
            text_en: f.get("text_en").to_string(),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn parse(form: &Form, creating: bool) -> Result<ReasonInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = ReasonInput {
            code: if creating {
                p.check("code", check::code(&form.code))
            } else {
                String::new()
            },
            purpose: p
                .check(
                    "purpose",
                    check::choice(&form.purpose, &check::REASON_PURPOSES),
                )
                .to_string(),
            text_vi: p.check("text_vi", check::required(&form.text_vi, check::REASON_MAX)),
            text_en: p.check("text_en", check::required(&form.text_en, check::REASON_MAX)),
            active: form.active,
            sort: p.check("sort", check::sort(&form.sort)),
        };
        p.into_result(input)
    }

    fn inputs(t: Tr, _: &AppState, form: &Form, key: Option<&Key<Self>>) -> Vec<Input> {
        let mut purposes = vec![Opt::new("", t.t("admin-choose"), form.purpose.is_empty())];
        purposes.extend(
            check::REASON_PURPOSES
                .iter()
                .map(|p| Opt::new(*p, t.t(&purpose_label(p)), form.purpose == *p)),
        );
        vec![
            Input::code(t, &form.code, key.is_some()),
            Input::select("purpose", t.t("admin-reason-purpose"), purposes).required(),
            Input::textarea(
                "text_vi",
                t.t("admin-reason-text-vi"),
                &form.text_vi,
                check::REASON_MAX,
            )
            .required(),
            Input::textarea(
                "text_en",
                t.t("admin-reason-text-en"),
                &form.text_en,
                check::REASON_MAX,
            )
            .required(),
            Input::sort(t, &form.sort),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-reason-active-hint")),
        ]
    }
}
