//! `/staff/admin/synonyms`: the abbreviations and synonyms search knows. Each entry is a
//! group of terms that mean the same ("TTHC" = "thủ tục hành chính"), typed one a line;
//! a search for any of them finds the others (staff search and `/answers`) as soon as
//! the edit is saved. A group is removed from its form, with its own post.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::finish;
use super::screen::{Key, NoQuery, Screen};
use crate::db::admin::synonyms::{self, SynonymInput, SynonymRow};
use crate::db::admin::{Problem, Problems};
use crate::domain::admin as check;
use crate::domain::synonyms::{TERM_CHARS_MAX, TERMS_MAX};
use crate::i18n::Tr;
use crate::web::kit::detached;
use crate::web::kit::error::AppError;
use crate::web::kit::form_view::{Input, ListRow, PostButton};
use crate::web::kit::{AdminUser, AppState, Fields, SharedState, check_csrf};

pub const LIST: &str = "/staff/admin/synonyms";

pub struct SynonymsScreen;

/// The form as typed: the terms, one a line.
#[derive(Debug, Clone, Default)]
pub struct Form {
    terms: String,
}

impl Screen for SynonymsScreen {
    type Record = SynonymRow;
    type Form = Form;
    type Query = NoQuery;
    const LIST: &'static str = LIST;
    const TITLE: &'static str = "admin-synonyms";

    async fn records(conn: &mut AsyncPgConnection, _: &NoQuery) -> QueryResult<Vec<SynonymRow>> {
        synonyms::list(conn).await
    }

    fn columns(t: Tr) -> Vec<String> {
        vec![t.t("admin-synonym-first"), t.t("admin-synonym-others")]
    }

    fn rows(_: Tr, _: &AppState, records: Vec<SynonymRow>) -> Vec<ListRow> {
        records
            .into_iter()
            .map(|r| {
                let mut terms = r.terms.into_iter();
                let first = terms.next().unwrap_or_default();
                ListRow {
                    id: format!("synonym-{}", r.id),
                    flags: Vec::new(),
                    cells: vec![vec![first], terms.collect()],
                    edit_href: Some(format!("{LIST}/{}", r.id)),
                    inactive: false,
                    // Removing is on the group's form, not one click away on the list.
                    actions: Vec::new(),
                }
            })
            .collect()
    }

    fn blank(_: &NoQuery) -> Form {
        Form::default()
    }

    fn of(r: &SynonymRow) -> Form {
        Form {
            terms: r.terms.join("\n"),
        }
    }

    fn read(f: &Fields, _: &AppState, _existing: Option<&SynonymRow>) -> Form {
        Form {
            terms: f.get("terms").to_string(),
        }
    }

    fn parse(form: &Form, _creating: bool) -> Result<SynonymInput, Vec<Problem>> {
        let mut p = Problems::default();
        let input = SynonymInput {
            terms: p.check("terms", check::synonym_terms(&form.terms)),
        };
        p.into_result(input)
    }

    fn inputs(t: Tr, _: &AppState, form: &Form, _key: Option<&Key<Self>>) -> Vec<Input> {
        vec![
            Input::textarea(
                "terms",
                t.t("admin-synonym-terms"),
                &form.terms,
                TERMS_MAX * (TERM_CHARS_MAX + 1),
            )
            .required()
            .hint(t.t("admin-synonym-terms-hint")),
        ]
    }

    fn form_intro(t: Tr) -> Option<String> {
        Some(t.t("admin-synonyms-form-intro"))
    }

    fn extra(t: Tr, id: &i32) -> Vec<PostButton> {
        vec![PostButton::new(
            format!("{LIST}/{id}/delete"),
            t.t("admin-synonym-remove"),
        )]
    }
}

/// `POST /staff/admin/synonyms/{id}/delete`: removes a group.
pub async fn delete(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(raw): Path<String>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let id = SynonymsScreen::key(&raw).ok_or(AppError::NotFound)?;
        let result = {
            let mut conn = state.pool.get().await?;
            synonyms::delete(&mut conn, me.id, id).await
        };
        finish(
            &state,
            result,
            |_| format!("{LIST}?done=deleted"),
            |_| AppError::NotFound.into_response(),
        )
        .await
    })
    .await
}
