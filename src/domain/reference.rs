//! The snapshot of reference data (units, contacts, lĩnh vực, content categories,
//! routing rules, reason templates, the calendar, the search synonyms) and the lookups
//! features need: plain data, loaded by `db::reference` and cached per instance by
//! `reference::cache`.

use crate::domain::calendar::WorkCalendar;
use crate::domain::routing::{self, RuleSpec};
use crate::domain::synonyms::Synonyms;

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i32,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub email: Option<String>,
    pub is_default: bool,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: i32,
    pub code: String,
    pub kind: String,
    pub person_name: Option<String>,
    pub title_vi: String,
    pub title_en: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub needs_verification: bool,
    pub active: bool,
    /// The staff account of this contact, if it has one: it is then mailed as staff
    /// (staff link; the sender's details when the account is of the handling unit).
    pub user_id: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub implies_kien_nghi: bool,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: i32,
    pub name: String,
    pub spec: RuleSpec,
    pub unit_id: i32,
    pub to: Vec<i32>,
    pub cc: Vec<i32>,
}

#[derive(Debug, Clone)]
pub struct ReasonTemplate {
    pub id: i32,
    pub code: String,
    pub purpose: String,
    pub text_vi: String,
    pub text_en: String,
    pub active: bool,
}

/// Where a new PAKN goes: its handling unit and who is notified.
#[derive(Debug, Clone)]
pub struct Route<'a> {
    pub rule: Option<&'a Rule>,
    pub unit: &'a Unit,
    pub to: Vec<&'a Contact>,
    pub cc: Vec<&'a Contact>,
}

/// One consistent snapshot of all reference data.
#[derive(Debug, Clone)]
pub struct Reference {
    pub version: i64,
    pub units: Vec<Unit>,
    pub contacts: Vec<Contact>,
    pub fields: Vec<Field>,
    pub categories: Vec<Category>,
    /// Active rules in evaluation order (position, then id).
    pub rules: Vec<Rule>,
    pub reasons: Vec<ReasonTemplate>,
    pub calendar: WorkCalendar,
    /// The abbreviations and synonyms searches expand.
    pub synonyms: Synonyms,
}

impl Reference {
    pub fn unit(&self, id: i32) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    pub fn unit_by_code(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    pub fn default_unit(&self) -> Option<&Unit> {
        self.units
            .iter()
            .find(|u| u.is_default && u.active)
            .or_else(|| self.units.iter().find(|u| u.active))
    }

    pub fn field(&self, code: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.code == code)
    }

    pub fn active_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.active)
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn active_categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.active)
    }

    /// Checks a filing against the active content categories and lĩnh vực.
    pub fn validate_feedback(
        &self,
        values: &crate::domain::feedback::FeedbackValues,
    ) -> Result<crate::domain::feedback::ValidFeedback, crate::domain::feedback::FieldErrors> {
        let categories: Vec<(&str, bool)> = self
            .active_categories()
            .map(|c| (c.code.as_str(), c.implies_kien_nghi))
            .collect();
        let fields: Vec<&str> = self.active_fields().map(|f| f.code.as_str()).collect();
        crate::domain::feedback::validate(
            values,
            &crate::domain::feedback::Choices {
                categories: &categories,
                fields: &fields,
            },
        )
    }

    pub fn contact(&self, id: i32) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id == id)
    }

    /// Active contacts of one kind ("receiving" or "hotline"), in display order.
    pub fn contacts_of(&self, kind: &str) -> impl Iterator<Item = &Contact> {
        let kind = kind.to_string();
        self.contacts
            .iter()
            .filter(move |c| c.active && c.kind == kind)
    }

    /// Applies the routing rules: the first match, else the default rule, else the
    /// default unit with nobody to notify.
    pub fn route(&self, category: &str, field: &str) -> Option<Route<'_>> {
        let specs: Vec<&RuleSpec> = self.rules.iter().map(|r| &r.spec).collect();
        let chosen = routing::first_match(&specs, category, field).map(|i| &self.rules[i]);
        let unit = match chosen {
            Some(rule) => self.unit(rule.unit_id)?,
            None => self.default_unit()?,
        };
        let pick = |ids: &[i32]| -> Vec<&Contact> {
            ids.iter()
                .filter_map(|id| self.contact(*id))
                .filter(|c| c.active && c.email.is_some())
                .collect()
        };
        Some(Route {
            rule: chosen,
            unit,
            to: chosen.map(|r| pick(&r.to)).unwrap_or_default(),
            cc: chosen.map(|r| pick(&r.cc)).unwrap_or_default(),
        })
    }
}
