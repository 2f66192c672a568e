//! `/staff/admin/rules`: the routing rules, in order. Each lists the content categories
//! and lĩnh vực it matches, the handling unit it sets and the contacts notified as to or
//! cc; rules move up and down the order. Rules that name content categories are tried
//! before rules that name only lĩnh vực (domain.md), each group in this order; the
//! default rule applies only when no other matches.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::screen::{Key, NoQuery, Screen};
use super::{finish, flags, on};
use crate::db::admin::rules::{self, Rule, RuleInput};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::domain::reference::Reference;
use crate::i18n::Tr;
use crate::web::kit::detached;
use crate::web::kit::error::AppError;
use crate::web::kit::form_view::{GridRow, Input, ListRow, Opt, PostButton};
use crate::web::kit::{AdminUser, Fields, check_csrf};
use crate::web::kit::{AppState, SharedState};

pub struct RulesScreen;

const LIST: &str = RulesScreen::LIST;

fn category_name(t: Tr, r: &Reference, code: &str) -> String {
    r.category(code)
        .map(|c| t.pick(&c.name_vi, &c.name_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn field_name(t: Tr, r: &Reference, code: &str) -> String {
    r.field(code)
        .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn unit_name(t: Tr, r: &Reference, id: i32) -> String {
    r.unit(id)
        .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
        .unwrap_or_else(|| id.to_string())
}

fn contact_name(t: Tr, r: &Reference, id: i32) -> String {
    r.contact(id)
        .map(|c| {
            let title = t.pick(&c.title_vi, &c.title_en);
            match &c.email {
                Some(email) => format!("{title} <{email}>"),
                None => title.to_string(),
            }
        })
        .unwrap_or_else(|| id.to_string())
}

fn matches(t: Tr, r: &Reference, rule: &Rule) -> Vec<String> {
    if rule.row.is_default {
        return vec![t.t("admin-rule-matches-default")];
    }
    let mut lines = Vec::new();
    if !rule.row.match_categories.is_empty() {
        let names: Vec<String> = rule
            .row
            .match_categories
            .iter()
            .map(|c| category_name(t, r, c))
            .collect();
        lines.push(format!(
            "{}: {}",
            t.t("admin-rule-categories"),
            names.join("; ")
        ));
    }
    if !rule.row.match_fields.is_empty() {
        let names: Vec<String> = rule
            .row
            .match_fields
            .iter()
            .map(|f| field_name(t, r, f))
            .collect();
        lines.push(format!(
            "{}: {}",
            t.t("admin-rule-fields"),
            names.join("; ")
        ));
    }
    lines
}

/// The form's values as typed; recipients are (contact id, "to" | "cc").
#[derive(Debug, Clone, Default)]
pub struct Form {
    name: String,
    unit: String,
    categories: Vec<String>,
    fields: Vec<String>,
    recipients: Vec<(i32, String)>,
    is_default: bool,
    active: bool,
}

impl Form {
    fn recipient(&self, contact: i32) -> &str {
        self.recipients
            .iter()
            .find(|(c, _)| *c == contact)
            .map(|(_, r)| r.as_str())
            .unwrap_or_default()
    }
}

impl Screen for RulesScreen {
    type Record = Rule;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = "/staff/admin/rules";
    const TITLE: &'static str = "admin-rules";

    async fn records(conn: &mut AsyncPgConnection, _: &NoQuery) -> QueryResult<Vec<Rule>> {
        rules::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![
            t.t("admin-rule-name"),
            t.t("admin-rule-matches"),
            t.t("admin-rule-unit"),
            t.t("admin-rule-to"),
            t.t("admin-rule-cc"),
        ]
    }

    fn rows(t: Tr, state: &AppState, records: Vec<Rule>) -> Vec<ListRow> {
        let reference = state.reference.get();
        let n = records.len();
        records
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let mut actions = Vec::new();
                let move_to = format!("{LIST}/{}/move", rule.row.id);
                if i > 0 {
                    actions.push(
                        PostButton::new(move_to.clone(), t.t("admin-rule-move-up"))
                            .with("direction", "up"),
                    );
                }
                if i + 1 < n {
                    actions.push(
                        PostButton::new(move_to, t.t("admin-rule-move-down"))
                            .with("direction", "down"),
                    );
                }
                ListRow {
                    id: format!("rule-{}", rule.row.id),
                    flags: flags(
                        t,
                        &[
                            (rule.row.is_default, "admin-flag-default"),
                            (!rule.row.active, "admin-flag-inactive"),
                        ],
                    ),
                    cells: vec![
                        vec![format!("{}. {}", i + 1, rule.row.name)],
                        matches(t, &reference, rule),
                        vec![unit_name(t, &reference, rule.row.unit_id)],
                        rule.to
                            .iter()
                            .map(|c| contact_name(t, &reference, *c))
                            .collect(),
                        rule.cc
                            .iter()
                            .map(|c| contact_name(t, &reference, *c))
                            .collect(),
                    ],
                    edit_href: Some(format!("{LIST}/{}", rule.row.id)),
                    inactive: !rule.row.active,
                    actions,
                }
            })
            .collect()
    }

    fn blank(_: &NoQuery) -> Form {
        Form {
            active: true,
            ..Form::default()
        }
    }

    fn of(rule: &Rule) -> Form {
        let mut recipients: Vec<(i32, String)> =
            rule.to.iter().map(|c| (*c, "to".to_string())).collect();
        recipients.extend(rule.cc.iter().map(|c| (*c, "cc".to_string())));
        Form {
            name: rule.row.name.clone(),
            unit: rule.row.unit_id.to_string(),
            categories: rule.row.match_categories.clone(),
            fields: rule.row.match_fields.clone(),
            recipients,
            is_default: rule.row.is_default,
            active: rule.row.active,
        }
    }

    fn read(f: &Fields, state: &AppState, _: Option<&Rule>) -> Form {
        Form {
            name: f.get("name").to_string(),
            unit: f.get("unit").to_string(),
            categories: f.all("categories").iter().map(|s| s.to_string()).collect(),
            fields: f.all("fields").iter().map(|s| s.to_string()).collect(),
            recipients: state
                .reference
                .get()
                .contacts
                .iter()
                .map(|c| (c.id, f.get(&format!("contact_{}", c.id)).to_string()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            is_default: on(f, "is_default"),
            active: on(f, "active"),
        }
    }

    fn parse(form: &Form, _creating: bool) -> Result<RuleInput, Vec<Problem>> {
        let mut p = Problems::default();
        let unit_id = match form.unit.trim() {
            "" => {
                p.push(Problem::input("unit", check::InputError::Required));
                0
            }
            raw => raw.parse::<i32>().unwrap_or_else(|_| {
                p.push(Problem::input("unit", check::InputError::Choice));
                0
            }),
        };
        let mut to = Vec::new();
        let mut cc = Vec::new();
        for (contact, recipient) in &form.recipients {
            match recipient.as_str() {
                "to" => to.push(*contact),
                "cc" => cc.push(*contact),
                _ => p.push(Problem::input("contacts", check::InputError::Choice)),
            }
        }
        let dedup = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v.dedup();
            v
        };
        let input = RuleInput {
            name: p.check("name", check::required(&form.name, check::NAME_MAX)),
            categories: dedup(&form.categories),
            fields: dedup(&form.fields),
            unit_id,
            is_default: form.is_default,
            active: form.active,
            to,
            cc,
        };
        p.into_result(input)
    }

    fn inputs(t: Tr, state: &AppState, form: &Form, _: Option<&Key<Self>>) -> Vec<Input> {
        let reference = state.reference.get();
        let mut units = vec![Opt::new("", t.t("admin-choose"), form.unit.is_empty())];
        units.extend(
            reference
                .units
                .iter()
                .filter(|u| u.active || form.unit == u.id.to_string())
                .map(|u| {
                    Opt::new(
                        u.id.to_string(),
                        t.pick(&u.name_vi, &u.name_en),
                        form.unit == u.id.to_string(),
                    )
                }),
        );
        let categories = reference
            .categories
            .iter()
            .filter(|c| c.active || form.categories.contains(&c.code))
            .map(|c| {
                Opt::new(
                    c.code.clone(),
                    t.pick(&c.name_vi, &c.name_en),
                    form.categories.contains(&c.code),
                )
            })
            .collect();
        let fields = reference
            .fields
            .iter()
            .filter(|f| f.active || form.fields.contains(&f.code))
            .map(|f| {
                Opt::new(
                    f.code.clone(),
                    t.pick(&f.name_vi, &f.name_en),
                    form.fields.contains(&f.code),
                )
            })
            .collect();
        let contacts = reference
            .contacts
            .iter()
            .filter(|c| (c.active && c.email.is_some()) || !form.recipient(c.id).is_empty())
            .map(|c| GridRow {
                name: format!("contact_{}", c.id),
                label: contact_name(t, &reference, c.id),
                current: form.recipient(c.id).to_string(),
            })
            .collect();
        let choices = vec![
            Opt::new("", t.t("admin-rule-recipient-none"), false),
            Opt::new("to", t.t("admin-rule-recipient-to"), false),
            Opt::new("cc", t.t("admin-rule-recipient-cc"), false),
        ];
        vec![
            Input::text("name", t.t("admin-rule-name"), &form.name, check::NAME_MAX).required(),
            Input::checkboxes("categories", t.t("admin-rule-categories"), categories)
                .hint(t.t("admin-rule-categories-hint")),
            Input::checkboxes("fields", t.t("admin-rule-fields"), fields)
                .hint(t.t("admin-rule-fields-hint")),
            Input::select("unit", t.t("admin-rule-unit"), units).required(),
            Input::grid("contacts", t.t("admin-rule-contacts"), choices, contacts)
                .hint(t.t("admin-rule-contacts-hint")),
            Input::checkbox("is_default", t.t("admin-rule-default"), form.is_default)
                .hint(t.t("admin-rule-default-hint")),
            Input::checkbox("active", t.t("admin-active"), form.active),
        ]
    }

    /// The form repeats how rules are tried.
    fn form_intro(t: Tr) -> Option<String> {
        Some(t.t("admin-rules-intro"))
    }
}

/// Moves a rule one place up or down the order.
pub async fn move_rule(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let id = RulesScreen::key(&id).ok_or(AppError::NotFound)?;
        let up = match fields.get("direction") {
            "up" => true,
            "down" => false,
            _ => return Err(AppError::NotFound),
        };
        let result = {
            let mut conn = state.pool.get().await?;
            rules::move_rule(&mut conn, me.id, id, up).await
        };
        finish(
            &state,
            result,
            |_| format!("{LIST}?done=moved#rule-{id}"),
            |_| AppError::NotFound.into_response(),
        )
        .await
    })
    .await
}
