//! `/staff/admin/units`: handling units (where officers work and PAKN are assigned).

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::screen::{Key, NoQuery, Screen};
use super::{code, flags, on};
use crate::db::admin::units::{self, UnitInput, UnitRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::Fields;
use crate::web::kit::form_view::{Input, ListRow};

pub struct UnitsScreen;

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    code: String,
    name_vi: String,
    name_en: String,
    email: String,
    is_default: bool,
    active: bool,
    sort: String,
}

impl Screen for UnitsScreen {
    type Record = UnitRow;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = "/staff/admin/units";
    const TITLE: &'static str = "admin-units";

    async fn records(conn: &mut AsyncPgConnection, _: &NoQuery) -> QueryResult<Vec<UnitRow>> {
        units::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![
            t.t("admin-name"),
            t.t("admin-code"),
            t.t("admin-email"),
            t.t("admin-sort"),
        ]
    }

    fn rows(t: Tr, _: &AppState, records: Vec<UnitRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|u| ListRow {
                id: format!("unit-{}", u.id),
                flags: flags(
                    t,
                    &[
                        (u.is_default, "admin-flag-default"),
                        (!u.active, "admin-flag-inactive"),
                    ],
                ),
                cells: vec![
                    vec![u.name_vi, u.name_en],
                    vec![u.code],
                    vec![u.email.unwrap_or_default()],
                    vec![u.sort.to_string()],
                ],
                edit_href: Some(format!("{}/{}", Self::LIST, u.id)),
                inactive: !u.active,
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

    fn of(u: &UnitRow) -> Form {
        Form {
            code: u.code.clone(),
            name_vi: u.name_vi.clone(),
            name_en: u.name_en.clone(),
            email: u.email.clone().unwrap_or_default(),
            is_default: u.is_default,
            active: u.active,
            sort: u.sort.to_string(),
        }
    }

    fn read(f: &Fields, _: &AppState, existing: Option<&UnitRow>) -> Form {
        Form {
            code: code(f, existing.map(|u| u.code.as_str())),
            name_vi: f.get("name_vi").to_string(),
            name_en: f.get("name_en").to_string(),
            email: f.get("email").to_string(),
            is_default: on(f, "is_default"),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
        }
    }

    fn parse(form: &Form, creating: bool) -> Result<UnitInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = UnitInput {
            code: if creating {
                p.check("code", check::code(&form.code))
            } else {
                String::new()
            },
            name_vi: p.check("name_vi", check::required(&form.name_vi, check::NAME_MAX)),
            name_en: p.check("name_en", check::required(&form.name_en, check::NAME_MAX)),
            email: p.check("email", check::email(&form.email)),
            is_default: form.is_default,
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
            Input::email("email", t.t("admin-email"), &form.email)
                .hint(t.t("admin-unit-email-hint")),
            Input::sort(t, &form.sort),
            Input::checkbox("is_default", t.t("admin-unit-default"), form.is_default)
                .hint(t.t("admin-unit-default-hint")),
            Input::checkbox("active", t.t("admin-active"), form.active)
                .hint(t.t("admin-unit-active-hint")),
        ]
    }
}
