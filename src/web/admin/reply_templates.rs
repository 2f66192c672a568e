//! `/staff/admin/reply-templates`: reusable texts an officer starts a draft reply or a
//! request for information from, each with its purpose, a Vietnamese and English name
//! and body, and optionally one lĩnh vực (none: every lĩnh vực).

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::screen::{Key, NoQuery, Screen};
use super::{code, flags, on};
use crate::db::admin::reply_templates::{self, ReplyTemplateInput, ReplyTemplateRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::domain::reply_template::{BODY_MAX, PURPOSES};
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::Fields;
use crate::web::kit::form_view::{Input, ListRow, Opt};

pub struct ReplyTemplatesScreen;

/// The message id of a purpose's label.
fn purpose_label(purpose: &str) -> String {
    format!("reply-template-purpose-{}", purpose.replace('_', "-"))
}

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    code: String,
    purpose: String,
    name_vi: String,
    name_en: String,
    body_vi: String,
    body_en: String,
    field: String,
    active: bool,
    sort: String,
}

/// The lĩnh vực of a template as the list shows it.
fn field_name(t: Tr, state: &AppState, code: Option<&str>) -> String {
    let Some(code) = code else {
        return t.t("reply-template-all-fields");
    };
    let reference = state.reference.get();
    reference
        .field(code)
        .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
        .unwrap_or(code.to_string())
}

impl Screen for ReplyTemplatesScreen {
    type Record = ReplyTemplateRow;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = "/staff/admin/reply-templates";
    const TITLE: &'static str = "admin-reply-templates";

    async fn records(
        conn: &mut AsyncPgConnection,
        _: &NoQuery,
    ) -> QueryResult<Vec<ReplyTemplateRow>> {
        reply_templates::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![
            t.t("reply-template-purpose"),
            t.t("admin-name"),
            t.t("label-field"),
        ]
    }

    fn rows(t: Tr, state: &AppState, records: Vec<ReplyTemplateRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|r| ListRow {
                id: format!("reply-template-{}", r.id),
                flags: flags(t, &[(!r.active, "admin-flag-inactive")]),
                cells: vec![
                    vec![t.t(&purpose_label(&r.purpose))],
                    vec![r.name_vi, r.name_en],
                    vec![field_name(t, state, r.field_code.as_deref())],
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
            purpose: "reply".into(),
            ..Form::default()
        }
    }

    fn of(r: &ReplyTemplateRow) -> Form {
        Form {
            code: r.code.clone(),
            purpose: r.purpose.clone(),
            name_vi: r.name_vi.clone(),
            name_en: r.name_en.clone(),
            body_vi: r.body_vi.clone(),
            body_en: r.body_en.clone(),
            field: r.field_code.clone().unwrap_or_default(),
            active: r.active,
            sort: r.sort.to_string(),
        }
    }

    fn read(f: &Fields, _: &AppState, existing: Option<&ReplyTemplateRow>) -> Form {
        Form {
            code: code(f, existing.map(|r| r.code.as_str())),
            purpose: f.get("purpose").to_string(),
            name_vi: f.get("name_vi").to_string(),
            name_en: f.get("name_en").to_string(),
            body_vi: f.get("body_vi").to_string(),
            body_en: f.get("body_en").to_string(),
            field: f.get("field").trim().to_string(),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn parse(form: &Form, creating: bool) -> Result<ReplyTemplateInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = ReplyTemplateInput {
            code: if creating {
                p.check("code", check::code(&form.code))
            } else {
                String::new()
            },
            purpose: p
                .check("purpose", check::choice(&form.purpose, &PURPOSES))
                .to_string(),
            name_vi: p.check("name_vi", check::required(&form.name_vi, check::NAME_MAX)),
            name_en: p.check("name_en", check::required(&form.name_en, check::NAME_MAX)),
            body_vi: p.check("body_vi", check::required(&form.body_vi, BODY_MAX)),
            body_en: p.check("body_en", check::required(&form.body_en, BODY_MAX)),
            field_code: Some(form.field.clone()).filter(|f| !f.is_empty()),
            active: form.active,
            sort: p.check("sort", check::sort(&form.sort)),
        };
        p.into_result(input)
    }

    fn inputs(t: Tr, state: &AppState, form: &Form, key: Option<&Key<Self>>) -> Vec<Input> {
        let purposes = PURPOSES
            .iter()
            .map(|p| Opt::new(*p, t.t(&purpose_label(p)), form.purpose == *p))
            .collect();
        let reference = state.reference.get();
        let mut fields = vec![Opt::new(
            "",
            t.t("reply-template-all-fields"),
            form.field.is_empty(),
        )];
        fields.extend(
            reference
                .fields
                .iter()
                .filter(|f| f.active || form.field == f.code)
                .map(|f| {
                    Opt::new(
                        f.code.clone(),
                        t.pick(&f.name_vi, &f.name_en),
                        form.field == f.code,
                    )
                }),
        );
        let [name_vi, name_en] = Input::names(t, &form.name_vi, &form.name_en);
        vec![
            Input::code(t, &form.code, key.is_some()),
            Input::select("purpose", t.t("reply-template-purpose"), purposes).required(),
            name_vi,
            name_en,
            Input::textarea(
                "body_vi",
                t.t("reply-template-body-vi"),
                &form.body_vi,
                BODY_MAX,
            )
            .required(),
            Input::textarea(
                "body_en",
                t.t("reply-template-body-en"),
                &form.body_en,
                BODY_MAX,
            )
            .required(),
            Input::select("field", t.t("label-field"), fields)
                .hint(t.t("reply-template-field-hint")),
            Input::sort(t, &form.sort),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-reason-active-hint")),
        ]
    }
}
