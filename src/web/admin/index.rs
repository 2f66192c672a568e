//! `/staff/admin`: the admin screens, and the latest recorded edits.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use crate::db::admin::{calendar, recent_audit};
use crate::domain::calendar::{format_datetime, local_date};
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::calendar_gaps::{self, GapView};
use crate::web::kit::error::AppResult;
use crate::web::kit::page;
use crate::web::kit::{AdminUser, StaffChrome};

/// How many recorded edits the page lists.
const RECENT: i64 = 30;

pub struct Section {
    pub href: &'static str,
    pub title: String,
    pub about: String,
}

pub struct AuditView {
    pub at: String,
    pub who: String,
    pub what: String,
    pub id: String,
    pub action: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/index.html")]
struct IndexPage {
    chrome: StaffChrome,
    /// What the working-day calendar lacks for the year ahead.
    gaps: Vec<GapView>,
    /// Whether the gaps offer their one-step fix (admins only).
    gaps_can_add: bool,
    sections: Vec<Section>,
    audit: Vec<AuditView>,
}

/// A message when one exists, else the raw code.
fn label(t: Tr, id: &str, raw: &str) -> String {
    if t.has(id) { t.t(id) } else { raw.to_string() }
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
) -> AppResult<Response> {
    let (lines, gaps) = {
        let mut conn = state.pool.get().await?;
        let today = local_date(chrono::Utc::now());
        (
            recent_audit(&mut conn, RECENT).await?,
            calendar::gaps(&mut conn, today).await?,
        )
    };
    let chrome = StaffChrome::new(&state, &lang, &me, "/staff/admin");
    let t = chrome.t;
    let section = |href: &'static str, key: &str| Section {
        href,
        title: t.t(&format!("admin-{key}")),
        about: t.t(&format!("admin-{key}-about")),
    };
    let sections = vec![
        section("/staff/users", "users"),
        section("/staff/admin/units", "units"),
        section("/staff/admin/contacts", "contacts"),
        section("/staff/admin/fields", "fields"),
        section("/staff/admin/categories", "categories"),
        section("/staff/admin/rules", "rules"),
        section("/staff/admin/reasons", "reasons"),
        section("/staff/admin/reply-templates", "reply-templates"),
        section("/staff/admin/calendar", "calendar"),
        section("/staff/admin/synonyms", "synonyms"),
        section("/staff/admin/mail", "mail"),
        section("/staff/admin/api-clients", "api-clients"),
        section("/staff/admin/webhooks", "webhooks"),
    ];
    let audit = lines
        .into_iter()
        .map(|l| AuditView {
            at: format_datetime(l.at),
            who: l.user_name.unwrap_or_default(),
            what: label(
                t,
                &format!("admin-entity-{}", l.entity.replace('_', "-")),
                &l.entity,
            ),
            action: label(
                t,
                &format!("admin-action-{}", l.action.replace('_', "-")),
                &l.action,
            ),
            id: l.entity_id,
        })
        .collect();
    Ok(page(
        &lang,
        IndexPage {
            gaps: calendar_gaps::views(&t, &gaps),
            gaps_can_add: true,
            chrome,
            sections,
            audit,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audited_action_has_its_words() {
        // The actions written to audit_log (admin edits, user edits, one's own password).
        for action in [
            "create",
            "update",
            "activate",
            "deactivate",
            "delete",
            "move_up",
            "move_down",
            "reset_password",
            "change_own_password",
            "mail_retry",
            "mail_retry_all",
            "email_correct",
        ] {
            let id = format!("admin-action-{}", action.replace('_', "-"));
            for lang in [crate::i18n::Lang::Vi, crate::i18n::Lang::En] {
                assert!(Tr::new(lang).has(&id), "{id} in {lang:?}");
            }
        }
    }
}
