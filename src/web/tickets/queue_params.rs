//! The queue's query string: what it asks for (filter, sort, page) with the defaults of
//! the viewer's open work, and the links that change one part of it.

use serde::Deserialize;

use crate::db::queue::{
    AnswerOutcome, AssigneeFilter, Cursor, DueFilter, Fact, Openness, QueueFilter, Sort, SortKey,
};
use crate::domain::access::Access;
use crate::domain::calendar::end_of_day_utc;
use crate::domain::feedback::{Channel, FeedbackKind};
use crate::domain::search::SearchTerm;
use crate::domain::status::Status;
use crate::domain::synonyms::Synonyms;
use crate::web::kit::date::parse_date;

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;
/// The last page that may be asked for (an offset walk; searches narrow further).
pub const MAX_PAGE: i64 = 400;

/// The query string, as typed; an empty value is the same as an absent one.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueParams {
    pub q: Option<String>,
    pub status: Option<String>,
    pub field: Option<String>,
    pub unit: Option<String>,
    /// `me`, `none`, `all` or a user id; absent: "me" for an officer's bare queue.
    pub assignee: Option<String>,
    pub due: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub spam: Option<String>,
    /// A content category, channel or kind code (the report's links).
    pub category: Option<String>,
    pub channel: Option<String>,
    pub kind: Option<String>,
    /// The answer's date range (`yyyy-mm-dd`, both days included).
    pub answered_from: Option<String>,
    pub answered_to: Option<String>,
    /// `on_time` or `late`: the answer against the reply deadline.
    pub outcome: Option<String>,
    /// A fact of the report (`accepted`, `withdrawn`, `satisfied`, …) the PAKN saw,
    /// between the dates `fact_from` and `fact_to` when given.
    pub fact: Option<String>,
    pub fact_from: Option<String>,
    pub fact_to: Option<String>,
    /// `open`, `done` or `all`; absent: open, unless a status or a search is asked.
    pub state: Option<String>,
    /// `due`, `received`, `code` or `status`, and `asc` or `desc`.
    pub sort: Option<String>,
    pub dir: Option<String>,
    /// 1-based.
    pub page: Option<String>,
    /// The keyset cursor of the newest-first order (links from before pages existed).
    pub after: Option<String>,
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A link of the page: where it goes and whether it is where one is.
pub struct ViewLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A sortable column's header: its link and its `aria-sort`.
pub struct SortHead {
    /// `due`, `received`, `code` or `status` (its column's class).
    pub key: &'static str,
    pub href: String,
    pub label: String,
    /// `ascending`, `descending` or `none`.
    pub aria: &'static str,
}

impl QueueParams {
    /// The filters (the parameters that choose rows; not sort or page), in URL order.
    fn filters(&self) -> [(&'static str, &Option<String>); 19] {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("field", &self.field),
            ("unit", &self.unit),
            ("assignee", &self.assignee),
            ("due", &self.due),
            ("from", &self.from),
            ("to", &self.to),
            ("spam", &self.spam),
            ("category", &self.category),
            ("channel", &self.channel),
            ("kind", &self.kind),
            ("answered_from", &self.answered_from),
            ("answered_to", &self.answered_to),
            ("outcome", &self.outcome),
            ("fact", &self.fact),
            ("fact_from", &self.fact_from),
            ("fact_to", &self.fact_to),
            ("state", &self.state),
        ]
    }

    /// Whether any filter is given (the bare queue is the viewer's default view).
    pub fn has_filters(&self) -> bool {
        self.filters().iter().any(|(_, v)| some(v).is_some())
    }

    /// Whether a filter of the collapsible part is given (it then starts open).
    pub fn has_detail_filters(&self) -> bool {
        [
            &self.field,
            &self.unit,
            &self.due,
            &self.from,
            &self.to,
            &self.spam,
        ]
        .iter()
        .any(|v| some(v).is_some())
    }

    /// The page asked for (1 to [`MAX_PAGE`]).
    pub fn page_number(&self) -> i64 {
        some(&self.page)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_PAGE)
    }

    /// The filter these parameters ask for (unknown values are ignored); words are
    /// expanded with `synonyms`.
    pub fn filter(&self, viewer: &Access, synonyms: &Synonyms) -> QueueFilter {
        let term = some(&self.q).and_then(|q| SearchTerm::parse(q, synonyms));
        let status = some(&self.status).and_then(Status::parse);
        let due = match some(&self.due) {
            Some("overdue") => Some(DueFilter::Overdue),
            Some("soon") => Some(DueFilter::Soon),
            Some("publication") => Some(DueFilter::Publication),
            _ => None,
        };
        let state = match some(&self.state) {
            Some("open") => Openness::Open,
            Some("done") => Openness::Finished,
            Some("all") => Openness::All,
            _ if term.is_some() || status.is_some() || due.is_some() => Openness::All,
            _ => Openness::Open,
        };
        let open_work = state == Openness::Open
            || status.is_some_and(|s| s.is_open())
            || matches!(due, Some(DueFilter::Overdue | DueFilter::Soon));
        let words = matches!(term, Some(SearchTerm::Words { .. }));
        QueueFilter {
            term,
            status,
            field: some(&self.field).map(str::to_string),
            unit: some(&self.unit).and_then(|u| u.parse().ok()),
            assignee: self.assignee_filter(viewer),
            due,
            from: some(&self.from)
                .and_then(parse_date)
                .map(|d| end_of_day_utc(d) - chrono::Duration::days(1)),
            to: some(&self.to).and_then(parse_date).map(end_of_day_utc),
            spam_only: some(&self.spam).is_some(),
            category: some(&self.category).map(str::to_string),
            channel: some(&self.channel).and_then(Channel::parse),
            kind: some(&self.kind).and_then(FeedbackKind::parse),
            answered_from: some(&self.answered_from)
                .and_then(parse_date)
                .map(|d| end_of_day_utc(d) - chrono::Duration::days(1)),
            answered_to: some(&self.answered_to)
                .and_then(parse_date)
                .map(end_of_day_utc),
            outcome: match some(&self.outcome) {
                Some("on_time") => Some(AnswerOutcome::OnTime),
                Some("late") => Some(AnswerOutcome::Late),
                _ => None,
            },
            fact: some(&self.fact).and_then(Fact::parse),
            fact_from: some(&self.fact_from)
                .and_then(parse_date)
                .map(|d| end_of_day_utc(d) - chrono::Duration::days(1)),
            fact_to: some(&self.fact_to).and_then(parse_date).map(end_of_day_utc),
            after: some(&self.after).and_then(Cursor::decode),
            state,
            sort: self.sort_of(open_work && !words, words),
            offset: (self.page_number() - 1) * PAGE_SIZE,
        }
    }

    /// An officer's bare queue is their own PAKN; `all` lifts the default.
    fn assignee_filter(&self, viewer: &Access) -> Option<AssigneeFilter> {
        match some(&self.assignee) {
            Some("me") => Some(AssigneeFilter::User(viewer.user_id)),
            Some("none") => Some(AssigneeFilter::Nobody),
            Some("all") => None,
            Some(id) => id.parse().ok().map(AssigneeFilter::User),
            None if !viewer.sees_all_units() && viewer.acts() && !self.has_filters() => {
                Some(AssigneeFilter::User(viewer.user_id))
            }
            None => None,
        }
    }

    /// The order asked for; by default the best matches first for a word search, the
    /// most urgent first for open work, else the newest first (and always for an old
    /// keyset link). A column's header overrides relevance, `sort=relevance` brings it
    /// back.
    fn sort_of(&self, open_work: bool, words: bool) -> Sort {
        let keyset = some(&self.after).is_some();
        let key = match some(&self.sort) {
            Some("due") => SortKey::Due,
            Some("received") => SortKey::Received,
            Some("code") => SortKey::Code,
            Some("status") => SortKey::Status,
            Some("relevance") if words && !keyset => SortKey::Relevance,
            _ if open_work && !keyset => SortKey::Due,
            _ if words && !keyset => SortKey::Relevance,
            _ => SortKey::Received,
        };
        let descending = match some(&self.dir) {
            _ if key == SortKey::Relevance => true,
            Some("asc") => false,
            Some("desc") => true,
            _ => key == SortKey::Received,
        };
        Sort { key, descending }
    }

    /// This query string with `set` replacing (or, with "", removing) parameters; the
    /// page and the cursor are dropped unless set.
    pub fn query_with(&self, set: &[(&str, &str)]) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        let extra = [
            ("sort", &self.sort),
            ("dir", &self.dir),
            ("page", &None),
            ("after", &None),
        ];
        for (k, v) in self.filters().into_iter().chain(extra) {
            let value = match set.iter().find(|(name, _)| *name == k) {
                Some((_, v)) => Some(*v).filter(|v| !v.is_empty()),
                None => some(v),
            };
            if let Some(v) = value {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }

    /// The queue's URL with `set` applied.
    pub fn link(&self, set: &[(&str, &str)]) -> String {
        let query = self.query_with(set);
        if query.is_empty() {
            "/staff/tickets".to_string()
        } else {
            format!("/staff/tickets?{query}")
        }
    }

    /// What a saved view keeps: the filters and the sort, not the search words (a
    /// search is a lookup of a person; a saved view is a standing list) nor the page.
    pub fn saved_query(&self) -> String {
        self.query_with(&[("q", "")])
    }

    /// The header of a sortable column `key` (`due`, `received`, `code`, `status`):
    /// a link to sort by it, the other way round when it is the current order.
    pub fn sort_head(&self, key: &'static str, label: String, current: Sort) -> SortHead {
        let is_current = sort_name(current.key) == key;
        let aria = match (is_current, current.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        };
        let dir = match aria {
            "ascending" => "desc",
            "descending" => "asc",
            _ if key == "received" => "desc",
            _ => "asc",
        };
        SortHead {
            key,
            href: self.link(&[("sort", key), ("dir", dir)]),
            label,
            aria,
        }
    }
}

/// A sort key's name in the URL.
pub fn sort_name(key: SortKey) -> &'static str {
    match key {
        SortKey::Due => "due",
        SortKey::Received => "received",
        SortKey::Code => "code",
        SortKey::Status => "status",
        SortKey::Relevance => "relevance",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Role;

    fn params(query: &str) -> QueueParams {
        let uri: axum::http::Uri = format!("/staff/tickets?{query}").parse().expect("uri");
        axum::extract::Query::<QueueParams>::try_from_uri(&uri)
            .expect("query")
            .0
    }

    #[test]
    fn the_bare_queue_is_open_work_most_urgent_first_and_an_officers_own() {
        let officer = Access::new(7, vec![Role::Officer], Some(3));
        let leader = Access::new(8, vec![Role::Leader], None);
        let none = Synonyms::default();
        let mine = params("").filter(&officer, &none);
        assert_eq!(mine.assignee, Some(AssigneeFilter::User(7)));
        assert_eq!(mine.state, Openness::Open);
        assert_eq!(
            mine.sort,
            Sort {
                key: SortKey::Due,
                descending: false
            }
        );
        assert_eq!(params("").filter(&leader, &none).assignee, None);
        assert_eq!(
            params("assignee=all").filter(&officer, &none).assignee,
            None
        );
        // A tab or a search shows every PAKN it names, for the whole unit.
        let tab = params("status=answered").filter(&officer, &none);
        assert_eq!((tab.assignee, tab.state), (None, Openness::All));
        assert_eq!(tab.sort, Sort::default());
        // A word search ranks the best matches first, until a header is clicked.
        let searched = params("q=nguyen").filter(&leader, &none).sort;
        assert_eq!(searched.key, SortKey::Relevance);
        assert!(searched.newest_first());
        let by_code = params("q=nguyen&sort=code&dir=asc").filter(&leader, &none);
        assert_eq!(by_code.sort.key, SortKey::Code);
        assert_eq!(
            params("q=nguyen&sort=relevance")
                .filter(&leader, &none)
                .sort
                .key,
            SortKey::Relevance
        );
        // Without words there is nothing to rank: the default order.
        assert_eq!(
            params("sort=relevance").filter(&leader, &none).sort,
            params("").filter(&leader, &none).sort
        );
        // A sort link keeps the default view.
        let sorted = params("sort=code&dir=desc").filter(&officer, &none);
        assert_eq!(sorted.assignee, Some(AssigneeFilter::User(7)));
        assert_eq!(
            sorted.sort,
            Sort {
                key: SortKey::Code,
                descending: true
            }
        );
        assert_eq!(
            params("page=3").filter(&leader, &none).offset,
            2 * PAGE_SIZE
        );
        assert_eq!(params("page=-1").filter(&leader, &none).offset, 0);
    }

    #[test]
    fn links_change_one_thing_and_drop_the_page() {
        let p = params("status=submitted&page=2&sort=due&q=");
        assert_eq!(
            p.link(&[("dir", "desc")]),
            "/staff/tickets?status=submitted&sort=due&dir=desc"
        );
        assert_eq!(p.link(&[("status", "")]), "/staff/tickets?sort=due");
        assert_eq!(
            p.link(&[("page", "3")]),
            "/staff/tickets?status=submitted&sort=due&page=3"
        );
        assert_eq!(params("q=0912&due=soon").saved_query(), "due=soon");
        let current = Sort {
            key: SortKey::Due,
            descending: false,
        };
        let head = p.sort_head("due", "Hạn".into(), current);
        assert_eq!(head.aria, "ascending");
        assert!(head.href.ends_with("sort=due&dir=desc"));
        assert_eq!(p.sort_head("code", "Mã".into(), current).aria, "none");
    }
}
