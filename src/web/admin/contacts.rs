//! `/staff/admin/contacts`: the published recipients notified by email and the
//! department's hotline entries, each flagged "cần xác minh" until an admin confirms it.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::screen::{Key, NoQuery, Screen};
use super::{code, flags, on};
use crate::db::admin::contacts::{self, ContactInput, ContactRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::Fields;
use crate::web::kit::form_view::{Input, ListRow, Opt};

pub struct ContactsScreen;

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "hotline" => "admin-contact-kind-hotline",
        _ => "admin-contact-kind-receiving",
    }
}

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct Form {
    code: String,
    kind: String,
    person_name: String,
    title_vi: String,
    title_en: String,
    phones: String,
    email: String,
    needs_verification: bool,
    active: bool,
    sort: String,
    account: String,
}

impl Screen for ContactsScreen {
    type Record = ContactRow;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = "/staff/admin/contacts";
    const TITLE: &'static str = "admin-contacts";

    async fn records(conn: &mut AsyncPgConnection, _: &NoQuery) -> QueryResult<Vec<ContactRow>> {
        contacts::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![
            t.t("admin-contact-title"),
            t.t("admin-code"),
            t.t("admin-contact-kind"),
            t.t("admin-contact-phones"),
            t.t("admin-email"),
        ]
    }

    fn rows(t: Tr, _: &AppState, records: Vec<ContactRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|c| {
                let mut who = vec![t.pick(&c.title_vi, &c.title_en).to_string()];
                who.extend(c.person_name);
                ListRow {
                    id: format!("contact-{}", c.id),
                    flags: flags(
                        t,
                        &[
                            (c.needs_verification, "admin-flag-needs-verification"),
                            (!c.active, "admin-flag-inactive"),
                        ],
                    ),
                    cells: vec![
                        who,
                        vec![c.code],
                        vec![t.t(kind_label(&c.kind))],
                        c.phones,
                        vec![c.email.unwrap_or_default()]
                            .into_iter()
                            .chain(
                                c.account
                                    .map(|a| t.t1("admin-contact-account-is", "email", a)),
                            )
                            .collect(),
                    ],
                    edit_href: Some(format!("{}/{}", Self::LIST, c.id)),
                    inactive: !c.active,
                    actions: Vec::new(),
                }
            })
            .collect()
    }

    fn blank(_: &NoQuery) -> Form {
        Form {
            kind: "receiving".into(),
            needs_verification: true,
            active: true,
            ..Form::default()
        }
    }

    fn of(c: &ContactRow) -> Form {
        Form {
            code: c.code.clone(),
            kind: c.kind.clone(),
            person_name: c.person_name.clone().unwrap_or_default(),
            title_vi: c.title_vi.clone(),
            title_en: c.title_en.clone(),
            phones: c.phones.join(", "),
            email: c.email.clone().unwrap_or_default(),
            needs_verification: c.needs_verification,
            active: c.active,
            sort: c.sort.to_string(),
            account: c.account.clone().unwrap_or_default(),
        }
    }

    fn read(f: &Fields, _: &AppState, existing: Option<&ContactRow>) -> Form {
        Form {
            code: code(f, existing.map(|c| c.code.as_str())),
            kind: f.get("kind").to_string(),
            person_name: f.get("person_name").to_string(),
            title_vi: f.get("title_vi").to_string(),
            title_en: f.get("title_en").to_string(),
            phones: f.get("phones").to_string(),
            email: f.get("email").to_string(),
            needs_verification: on(f, "needs_verification"),
            active: on(f, "active"),
            sort: f.get("sort").to_string(),
            account: f.get("account").to_string(),
        }
    }

    fn parse(form: &Form, creating: bool) -> Result<ContactInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = ContactInput {
            code: if creating {
                p.check("code", check::code(&form.code))
            } else {
                String::new()
            },
            kind: p
                .check("kind", check::choice(&form.kind, &check::CONTACT_KINDS))
                .to_string(),
            person_name: p.check(
                "person_name",
                check::optional(&form.person_name, check::NAME_MAX),
            ),
            title_vi: p.check("title_vi", check::required(&form.title_vi, check::NAME_MAX)),
            title_en: p.check("title_en", check::required(&form.title_en, check::NAME_MAX)),
            phones: p.check("phones", check::phones(&form.phones)),
            email: p.check("email", check::email(&form.email)),
            needs_verification: form.needs_verification,
            active: form.active,
            sort: p.check("sort", check::sort(&form.sort)),
            account: p.check("account", check::email(&form.account)),
        };
        p.into_result(input)
    }

    fn inputs(t: Tr, _: &AppState, form: &Form, key: Option<&Key<Self>>) -> Vec<Input> {
        let kinds = check::CONTACT_KINDS
            .iter()
            .map(|k| Opt::new(*k, t.t(kind_label(k)), form.kind == *k))
            .collect();
        vec![
            Input::code(t, &form.code, key.is_some()),
            Input::select("kind", t.t("admin-contact-kind"), kinds)
                .hint(t.t("admin-contact-kind-hint")),
            Input::text(
                "title_vi",
                t.t("admin-contact-title-vi"),
                &form.title_vi,
                check::NAME_MAX,
            )
            .required(),
            Input::text(
                "title_en",
                t.t("admin-contact-title-en"),
                &form.title_en,
                check::NAME_MAX,
            )
            .required(),
            Input::text(
                "person_name",
                t.t("admin-contact-person"),
                &form.person_name,
                check::NAME_MAX,
            ),
            Input::text("phones", t.t("admin-contact-phones"), &form.phones, 200)
                .hint(t.t("admin-contact-phones-hint")),
            Input::email("email", t.t("admin-email"), &form.email)
                .hint(t.t("admin-contact-email-hint")),
            Input::email("account", t.t("admin-contact-account"), &form.account)
                .hint(t.t("admin-contact-account-hint")),
            Input::sort(t, &form.sort),
            Input::checkbox(
                "needs_verification",
                t.t("admin-contact-needs-verification"),
                form.needs_verification,
            ),
            Input::checkbox("active", t.t("admin-active"), form.active),
        ]
    }
}
