//! `/staff/admin/fields`: lĩnh vực, offered on the public form and stored on tickets by
//! code. A deactivated one leaves the form; tickets that have it still show its name.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::screen::{Key, NoQuery, Screen};
use super::{code, flags, on};
use crate::db::admin::fields::{self, FieldInput, FieldRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::Fields;
use crate::web::kit::form_view::{Input, ListRow};

pub struct FieldsScreen;

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    code: String,
    name_vi: String,
    name_en: String,
    keywords: String,
    active: bool,
    sort: String,
}

impl Screen for FieldsScreen {
    type Record = FieldRow;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = "/staff/admin/fields";
    const TITLE: &'static str = "admin-fields";

    async fn records(conn: &mut AsyncPgConnection, _: &NoQuery) -> QueryResult<Vec<FieldRow>> {
        fields::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![t.t("admin-name"), t.t("admin-code"), t.t("admin-sort")]
    }

    fn rows(t: Tr, _: &AppState, records: Vec<FieldRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|f| ListRow {
                id: format!("field-{}", f.code),
                flags: flags(t, &[(!f.active, "admin-flag-inactive")]),
                edit_href: Some(format!("{}/{}", Self::LIST, f.code)),
                cells: vec![
                    vec![f.name_vi, f.name_en],
                    vec![f.code],
                    vec![f.sort.to_string()],
                ],
                inactive: !f.active,
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

    fn of(f: &FieldRow) -> Form {
        Form {
            code: f.code.clone(),
            name_vi: f.name_vi.clone(),
            name_en: f.name_en.clone(),
            keywords: f.keywords.clone(),
            active: f.active,
            sort: f.sort.to_string(),
        }
    }

    fn read(f: &Fields, _: &AppState, existing: Option<&FieldRow>) -> Form {
        Form {
            code: code(f, existing.map(|r| r.code.as_str())),
            name_vi: f.get("name_vi").to_string(),
            name_en: f.get("name_en").to_string(),
            keywords: f.get("keywords").to_string(),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn parse(form: &Form, creating: bool) -> Result<FieldInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = FieldInput {
            code: if creating {
                p.check("code", check::code(&form.code))
            } else {
                form.code.clone()
            },
            name_vi: p.check("name_vi", check::required(&form.name_vi, check::NAME_MAX)),
            name_en: p.check("name_en", check::required(&form.name_en, check::NAME_MAX)),
            keywords: p
                .check("keywords", check::optional(&form.keywords, check::NOTE_MAX))
                .unwrap_or_default(),
            active: form.active,
            sort: p.check("sort", check::sort(&form.sort)),
        };
        p.into_result(input)
    }

    fn inputs(t: Tr, _: &AppState, form: &Form, key: Option<&Key<Self>>) -> Vec<Input> {
        let [name_vi, name_en] = Input::names(t, &form.name_vi, &form.name_en);
        vec![
            Input::code(t, &form.code, key.is_some()),
            name_vi,
            name_en,
            Input::textarea(
                "keywords",
                t.t("admin-field-keywords"),
                &form.keywords,
                check::NOTE_MAX,
            )
            .hint(t.t("admin-field-keywords-hint")),
            Input::sort(t, &form.sort),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-field-active-hint")),
        ]
    }
}
