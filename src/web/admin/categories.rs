//! `/staff/admin/categories`: content categories (nội dung thuộc, Điều 5 NĐ 20/2008),
//! offered on the public form and stored on tickets by code; one that implies kiến nghị
//! makes the filing a kiến nghị. A deactivated one leaves the form; tickets keep it.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::screen::{Key, NoQuery, Screen};
use super::{code, flags, on};
use crate::db::admin::categories::{self, CategoryInput, CategoryRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::Fields;
use crate::web::kit::form_view::{Input, ListRow};

pub struct CategoriesScreen;

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    code: String,
    name_vi: String,
    name_en: String,
    implies_kien_nghi: bool,
    active: bool,
    sort: String,
}

impl Screen for CategoriesScreen {
    type Record = CategoryRow;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = "/staff/admin/categories";
    const TITLE: &'static str = "admin-categories";

    async fn records(conn: &mut AsyncPgConnection, _: &NoQuery) -> QueryResult<Vec<CategoryRow>> {
        categories::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![t.t("admin-name"), t.t("admin-code"), t.t("admin-sort")]
    }

    fn rows(t: Tr, _: &AppState, records: Vec<CategoryRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|c| ListRow {
                id: format!("category-{}", c.code),
                flags: flags(
                    t,
                    &[
                        (c.implies_kien_nghi, "admin-flag-kien-nghi"),
                        (!c.active, "admin-flag-inactive"),
                    ],
                ),
                edit_href: Some(format!("{}/{}", Self::LIST, c.code)),
                cells: vec![
                    vec![c.name_vi, c.name_en],
                    vec![c.code],
                    vec![c.sort.to_string()],
                ],
                inactive: !c.active,
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

    fn of(c: &CategoryRow) -> Form {
        Form {
            code: c.code.clone(),
            name_vi: c.name_vi.clone(),
            name_en: c.name_en.clone(),
            implies_kien_nghi: c.implies_kien_nghi,
            active: c.active,
            sort: c.sort.to_string(),
        }
    }

    fn read(f: &Fields, _: &AppState, existing: Option<&CategoryRow>) -> Form {
        Form {
            code: code(f, existing.map(|c| c.code.as_str())),
            name_vi: f.get("name_vi").to_string(),
            name_en: f.get("name_en").to_string(),
            implies_kien_nghi: on(f, "implies_kien_nghi"),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn parse(form: &Form, creating: bool) -> Result<CategoryInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = CategoryInput {
            code: if creating {
                p.check("code", check::code(&form.code))
            } else {
                form.code.clone()
            },
            name_vi: p.check("name_vi", check::required(&form.name_vi, check::NAME_MAX)),
            name_en: p.check("name_en", check::required(&form.name_en, check::NAME_MAX)),
            implies_kien_nghi: form.implies_kien_nghi,
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
            Input::checkbox(
                "implies_kien_nghi",
                t.t("admin-category-kien-nghi"),
                form.implies_kien_nghi,
            )
            .hint(t.t("admin-category-kien-nghi-hint")),
            Input::sort(t, &form.sort),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-category-active-hint")),
        ]
    }
}
