//! The boxes at the top of the track page that say what the agency wants or decided,
//! so the citizen does not have to find it in the timeline (issue 17, item 1): the
//! question of a request for information, above the form that answers it; and, once a
//! PAKN ended without an answer (refused, out of scope, transferred), the reason with
//! what the citizen can do now.

use crate::config::Config;
use crate::db::track::PublicEvent;
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::status::Status;
use crate::domain::workflow::Action;
use crate::i18n::Tr;

/// "Cơ quan đề nghị bạn bổ sung": the officer's question while the PAKN waits for it.
#[derive(Debug, Clone)]
pub struct QuestionBox {
    pub question: String,
    /// When it was asked (`HH:MM dd/mm/yyyy`).
    pub asked: String,
    /// The day the answer is due by (`dd/mm/yyyy`), once known.
    pub answer_by: Option<String>,
    /// Whether the reply deadline waits meanwhile, in words.
    pub clock: String,
}

/// A link the citizen may follow: (address, words).
#[derive(Debug, Clone)]
pub struct NextLink {
    pub href: String,
    pub label: String,
}

/// The decision that ended a PAKN without an answer, and what the citizen can do now.
#[derive(Debug, Clone)]
pub struct EndedBox {
    /// `rejected`, `out_of_scope` or `transferred` (a CSS modifier and a test hook).
    pub kind: &'static str,
    pub heading: String,
    /// The agency's reason, as written (none for a transfer).
    pub reason: Option<String>,
    /// When it was decided.
    pub at: String,
    /// "Bạn có thể làm gì bây giờ": one sentence each.
    pub steps: Vec<String>,
    /// Where complaints and denunciations go (the site's configured links).
    pub elsewhere: Vec<NextLink>,
}

/// The latest public event of `code`.
fn last_event<'a>(events: &'a [PublicEvent], codes: &[&str]) -> Option<&'a PublicEvent> {
    events
        .iter()
        .rev()
        .find(|e| codes.contains(&e.event.as_str()))
}

fn text_of(e: &PublicEvent) -> Option<String> {
    e.body
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_string)
}

/// The question box of a PAKN waiting for the citizen's information.
pub fn question_box(
    t: &Tr,
    cfg: &Config,
    status: Status,
    events: &[PublicEvent],
    needs_info_due: Option<String>,
) -> Option<QuestionBox> {
    if status != Status::NeedsInfo {
        return None;
    }
    let asked = last_event(events, &[Action::AskInfo.code()])?;
    Some(QuestionBox {
        question: text_of(asked).unwrap_or_else(|| t.t("citizen-asked-no-text")),
        asked: format_datetime(asked.at),
        answer_by: needs_info_due,
        clock: t.t(if cfg.deadlines.pause_on_needs_info {
            "citizen-asked-clock-paused"
        } else {
            "citizen-asked-clock-running"
        }),
    })
}

/// The events that end a PAKN in `status` without an answer (a refusal is also what a
/// request for information left unanswered ends in).
fn ending_codes(status: Status) -> Option<(&'static str, &'static [&'static str])> {
    match status {
        Status::Rejected => Some(("rejected", &["reject", "expire_info"])),
        Status::OutOfScope => Some(("out_of_scope", &["out_of_scope"])),
        Status::Transferred => Some(("transferred", &["transfer"])),
        _ => None,
    }
}

/// "Bạn có thể làm gì bây giờ" for a PAKN that ended in `status`; `detail` reads the
/// deciding event's details (competent body, agency, reference, date).
fn what_now(t: &Tr, status: Status, detail: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut steps = Vec::new();
    match status {
        Status::Rejected => {
            steps.push(t.t("citizen-now-rejected-refile"));
            steps.push(t.t("citizen-now-complaints"));
        }
        Status::OutOfScope => {
            steps.push(match detail("competent_body") {
                Some(body) => t.t1("citizen-now-out-of-scope-body", "body", body),
                None => t.t("citizen-now-out-of-scope-unknown"),
            });
            steps.push(t.t("citizen-now-complaints"));
        }
        _ => {
            let agency = detail("agency").unwrap_or_else(|| t.t("citizen-now-agency-unknown"));
            steps.push(t.t1("citizen-now-transferred", "agency", agency));
            if let Some(reference) = detail("reference") {
                let date = detail("date")
                    .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                    .map(format_date);
                steps.push(match date {
                    Some(date) => t.t2(
                        "citizen-now-transferred-reference-dated",
                        "reference",
                        reference,
                        "date",
                        date,
                    ),
                    None => t.t1("citizen-now-transferred-reference", "reference", reference),
                });
            }
        }
    }
    steps
}

/// The box of a PAKN that ended without an answer.
pub fn ended_box(
    t: &Tr,
    cfg: &Config,
    hotline: Option<String>,
    status: Status,
    events: &[PublicEvent],
) -> Option<EndedBox> {
    let (kind, codes) = ending_codes(status)?;
    let event = last_event(events, codes);
    let detail = |key: &str| -> Option<String> {
        event
            .and_then(|e| e.data.get(key))
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut steps = what_now(t, status, &detail);
    if let Some(phone) = hotline {
        steps.push(t.t1("citizen-now-hotline", "phone", phone));
    }
    Some(EndedBox {
        kind,
        heading: t.t(&format!("citizen-ended-heading-{}", kind.replace('_', "-"))),
        reason: event.and_then(text_of),
        at: event.map(|e| format_datetime(e.at)).unwrap_or_default(),
        steps,
        elsewhere: if status == Status::Transferred {
            Vec::new()
        } else {
            cfg.site
                .elsewhere
                .iter()
                .map(|l| NextLink {
                    href: l.url.clone(),
                    label: t.pick(&l.label_vi, &l.label_en).to_string(),
                })
                .collect()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::ActorKind;
    use crate::i18n::Lang;

    fn event(code: &str, body: Option<&str>, data: serde_json::Value) -> PublicEvent {
        PublicEvent {
            id: 1,
            at: chrono::Utc::now(),
            actor_kind: ActorKind::Staff,
            actor_id: None,
            event: code.into(),
            body: body.map(str::to_string),
            data,
        }
    }

    #[test]
    fn the_question_is_the_latest_request_for_information() {
        let t = Tr::new(Lang::Vi);
        let cfg = Config::default();
        let events = [
            event("submitted", None, serde_json::json!({})),
            event("ask_info", Some("Câu hỏi cũ"), serde_json::json!({})),
            event("answer_info", Some("Trả lời"), serde_json::json!({})),
            event(
                "ask_info",
                Some("Đề nghị gửi bản chụp quyết định"),
                serde_json::json!({}),
            ),
        ];
        let q = question_box(
            &t,
            &cfg,
            Status::NeedsInfo,
            &events,
            Some("11/12/2026".into()),
        )
        .expect("a question");
        assert_eq!(q.question, "Đề nghị gửi bản chụp quyết định");
        assert_eq!(q.answer_by.as_deref(), Some("11/12/2026"));
        assert!(question_box(&t, &cfg, Status::InProgress, &events, None).is_none());
    }

    #[test]
    fn a_refusal_says_why_and_out_of_scope_names_the_competent_body() {
        let t = Tr::new(Lang::Vi);
        let cfg = Config::default();
        let events = [event(
            "reject",
            Some("Thiếu địa chỉ liên hệ"),
            serde_json::json!({}),
        )];
        let b = ended_box(&t, &cfg, None, Status::Rejected, &events).expect("a box");
        assert_eq!(b.reason.as_deref(), Some("Thiếu địa chỉ liên hệ"));
        assert!(!b.steps.is_empty());
        let events = [event(
            "out_of_scope",
            Some("Nội dung là khiếu nại"),
            serde_json::json!({ "competent_body": "Thanh tra tỉnh" }),
        )];
        let b = ended_box(&t, &cfg, None, Status::OutOfScope, &events).expect("a box");
        assert!(b.steps[0].contains("Thanh tra tỉnh"), "{:?}", b.steps);
        assert!(ended_box(&t, &cfg, None, Status::Answered, &events).is_none());
    }
}
