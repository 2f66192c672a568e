//! `GET /staff/tickets/{code}`: the whole PAKN for staff: every field, its files
//! (download only), the timeline, the deadlines and their state, the routing. Each view
//! of the personal data is recorded (who, when). A PAKN the user may not see is a 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::panel::{self, Opt, Panel, ReplyView};
use crate::auth::StaffUser;
use crate::db::workflow as workflow_data;
use crate::web::kit::AppState;
use crate::web::kit::StaffChrome;
use crate::web::kit::attempt::Attempt;
use crate::web::kit::ticket::visible_ticket;

use crate::db::tickets::{self, TicketRow};
use crate::domain::attachment::{content_disposition, size_text};
use crate::domain::calendar::{DueState, due_state, format_date, format_datetime};
use crate::domain::feedback::SubmitterKind;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::domain::workflow::{ActorKind, ReplyState, Urgency};
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::error::{AppError, AppResult};

const CHROME_PATH: &str = "/staff/tickets";

pub struct Fact {
    pub label: String,
    pub value: String,
}

pub struct FileView {
    pub id: i64,
    pub filename: String,
    pub size: String,
    pub origin: String,
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub what: String,
    pub body: Option<String>,
    /// Labelled details from the event's data (a rating's level, a transfer's agency).
    pub details: Vec<(String, String)>,
    pub public: bool,
}

pub struct DueView {
    pub label: String,
    pub date: String,
    pub state: &'static str,
    pub state_label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/ticket.html")]
pub struct TicketPage {
    pub chrome: StaffChrome,
    pub panel: Panel,
    pub t: Tr,
    pub code: String,
    pub code_display: String,
    pub title: String,
    pub status_label: String,
    pub confidential_hidden: bool,
    pub sender: Vec<Fact>,
    pub about: Vec<Fact>,
    pub content: String,
    pub proposal: Option<String>,
    pub dues: Vec<DueView>,
    pub files: Vec<FileView>,
    pub events: Vec<EventView>,
    pub routing: String,
    pub spam_reasons: Vec<String>,
}

fn opt_fact(out: &mut Vec<Fact>, label: String, value: &Option<String>) {
    if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
        out.push(Fact {
            label,
            value: v.to_string(),
        });
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ShowQuery {
    /// The action just carried out (shows its confirmation).
    done: Option<String>,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    Query(query): Query<ShowQuery>,
) -> AppResult<Response> {
    let done = query
        .done
        .filter(|d| d.len() < 40 && d.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    render_page(&state, &lang, &user, &code, None, done, StatusCode::OK).await
}

/// The page after a refused action: its message at its form, with what was typed.
pub async fn render(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    code: &str,
    attempt: Option<Attempt>,
    status: StatusCode,
) -> AppResult<Response> {
    render_page(state, lang, user, code, attempt, None, status).await
}

async fn render_page(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    code: &str,
    attempt: Option<Attempt>,
    done: Option<String>,
    http_status: StatusCode,
) -> AppResult<Response> {
    let viewer = &user.access;
    let ticket = visible_ticket(state, viewer, code).await?;
    let t = lang.tr();
    let mut conn = state.pool.get().await?;
    let events = tickets::events(&mut conn, ticket.id).await?;
    let files = tickets::attachment_list(&mut conn, ticket.id).await?;
    let replies = workflow_data::replies_of(&mut conn, ticket.id).await?;
    let staff = user.access.clone();
    let offered = panel::offered(&staff, ticket.unit_id, ticket.status);
    let assignable = if offered.contains(&"accept") || offered.contains(&"assign") {
        workflow_data::assignable_users(&mut conn, ticket.unit_id).await?
    } else {
        Vec::new()
    };
    let mut user_ids: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
    user_ids.extend(replies.iter().filter_map(|r| r.drafted_by));
    user_ids.extend(ticket.assignee_id);
    user_ids.extend(ticket.entered_by);
    user_ids.sort_unstable();
    user_ids.dedup();
    let names = tickets::user_names(&mut conn, &user_ids).await?;
    // Inspectors and admins outside the unit see that a confidential PAKN exists, not
    // what it says (its handling unit and leaders read it).
    let confidential_hidden = ticket.confidential && !viewer.reads_confidential(ticket.unit_id);
    if !confidential_hidden {
        tickets::record_personal_data_view(&mut conn, viewer.user_id, ticket.id, "view").await?;
    }
    drop(conn);
    let reference = state.reference.get();
    let name_of = |id: Option<i32>| -> String {
        id.and_then(|id| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()))
            .unwrap_or_default()
    };
    let status = ticket.status;
    let policy = state.cfg.deadline_policy();
    let now = Utc::now();
    let due_view = |label: &str, date: chrono::NaiveDate, running: bool| {
        let s = if running {
            match due_state(&reference.calendar, &policy, date, now) {
                DueState::Overdue => "overdue",
                DueState::DueSoon => "soon",
                DueState::OnTime => "ontime",
            }
        } else {
            ""
        };
        DueView {
            label: t.t(label),
            date: format_date(date),
            state: s,
            state_label: match s {
                "overdue" => t.t("staff-overdue"),
                "soon" => t.t("staff-due-soon"),
                "ontime" => t.t("staff-on-time"),
                _ => String::new(),
            },
        }
    };
    let mut dues = vec![
        due_view(
            "receipt-accept-due",
            ticket.accept_due,
            status == Status::Submitted,
        ),
        due_view(
            "staff-forward-due",
            ticket.forward_due,
            status == Status::Submitted || status == Status::Accepted,
        ),
        due_view("receipt-reply-due", ticket.reply_due, status.is_open()),
    ];
    if let Some(d) = ticket.needs_info_due {
        dues.push(due_view(
            "staff-needs-info-due",
            d,
            status == Status::NeedsInfo,
        ));
    }
    let mut sender = Vec::new();
    let kind_label = if ticket.submitter_kind == SubmitterKind::Organization {
        t.t("submitter-organization")
    } else {
        t.t("submitter-individual")
    };
    sender.push(Fact {
        label: t.t("label-submitter-kind"),
        value: kind_label,
    });
    if !confidential_hidden {
        opt_fact(&mut sender, t.t("label-full-name"), &ticket.full_name);
        opt_fact(&mut sender, t.t("label-organization"), &ticket.organization);
        opt_fact(
            &mut sender,
            t.t("label-representative"),
            &ticket.representative,
        );
        sender.push(Fact {
            label: t.t("label-address"),
            value: ticket.address.clone(),
        });
        opt_fact(&mut sender, t.t("label-commune"), &ticket.commune);
        sender.push(Fact {
            label: t.t("label-phone"),
            value: ticket.phone.clone(),
        });
        opt_fact(&mut sender, t.t("label-email"), &ticket.email);
    }
    let mut about = vec![
        Fact {
            label: t.t("label-kind"),
            value: t.t(&ticket.kind.message_id("kind")),
        },
        Fact {
            label: t.t("label-content-category"),
            value: reference
                .category(&ticket.content_category)
                .map(|c| t.pick(&c.name_vi, &c.name_en).to_string())
                .unwrap_or(ticket.content_category.clone()),
        },
        Fact {
            label: t.t("label-field"),
            value: reference
                .field(&ticket.field_code)
                .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
                .unwrap_or(ticket.field_code.clone()),
        },
        Fact {
            label: t.t("receipt-unit"),
            value: reference
                .unit(ticket.unit_id)
                .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                .unwrap_or_default(),
        },
        Fact {
            label: t.t("staff-assignee"),
            value: name_of(ticket.assignee_id),
        },
        Fact {
            label: t.t("staff-channel"),
            value: t.t(&ticket.channel.message_id("channel")),
        },
        Fact {
            label: t.t("receipt-received"),
            value: format_datetime(ticket.received_at),
        },
    ];
    opt_fact(&mut about, t.t("staff-external-ref"), &ticket.external_ref);
    if let Some(d) = ticket.external_ref_date {
        about.push(Fact {
            label: t.t("staff-external-ref-date"),
            value: format_date(d),
        });
    }
    if ticket.entered_by.is_some() {
        about.push(Fact {
            label: t.t("staff-entered-by"),
            value: name_of(ticket.entered_by),
        });
    }
    if !confidential_hidden {
        opt_fact(&mut about, t.t("label-procedure"), &ticket.procedure_name);
        opt_fact(&mut about, t.t("label-dossier-code"), &ticket.dossier_code);
        opt_fact(
            &mut about,
            t.t("label-subject-agency"),
            &ticket.subject_agency,
        );
    }
    about.push(Fact {
        label: t.t("staff-publish-consent"),
        value: t.t(if ticket.publish_consent {
            "staff-yes"
        } else {
            "staff-no"
        }),
    });
    about.push(Fact {
        label: t.t("staff-consent"),
        value: format!(
            "{} ({} {})",
            format_datetime(ticket.consent_at),
            t.t("staff-notice-version"),
            ticket.privacy_notice_version
        ),
    });
    let routing = events
        .iter()
        .find(|e| e.event == "submitted")
        .and_then(|e| e.data.get("routing"))
        .map(|r| {
            let rule = r.get("rule").and_then(|v| v.as_str()).unwrap_or("—");
            let list = |k: &str| -> String {
                r.get(k)
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str())
                            .filter_map(|code| reference.contacts.iter().find(|c| c.code == code))
                            .map(|c| t.pick(&c.title_vi, &c.title_en).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default()
            };
            format!(
                "{rule} · {}: {} · Cc: {}",
                t.t("staff-notified"),
                list("to"),
                list("cc")
            )
        })
        .unwrap_or_default();
    let mut panel = Panel {
        offered,
        current_field: ticket.field_code.clone(),
        current_kind: ticket.kind.as_str().to_string(),
        current_unit: ticket.unit_id.to_string(),
        current_assignee: ticket
            .assignee_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
        current_urgency: ticket
            .urgency
            .unwrap_or(Urgency::Normal)
            .as_str()
            .to_string(),
        current_procedure: ticket.procedure_name.clone().unwrap_or_default(),
        confidential: ticket.confidential,
        attempt,
        done: done.map(|d| {
            t.t1(
                "handling-done",
                "what",
                t.t(&format!("event-{}", d.replace('_', "-"))),
            )
        }),
        publication: matches!(status, Status::Answered | Status::Closed)
            && ticket.publish_consent
            && !ticket.confidential
            && replies.iter().any(|r| r.state == ReplyState::Approved),
        progress_duty: progress_duty(&t, state, &ticket, status, now),
        ..Panel::default()
    };
    panel::fill_choices(&mut panel, &t, &reference);
    panel.assignees = assignable
        .into_iter()
        .map(|(id, name)| Opt {
            value: id.to_string(),
            label: name,
        })
        .collect();
    if !confidential_hidden {
        let reply_files = |reply_id: i64| -> Vec<(i64, String)> {
            files
                .iter()
                .filter(|f| f.reply_id == Some(reply_id))
                .map(|f| (f.id, f.filename.clone()))
                .collect()
        };
        panel.replies = replies
            .iter()
            .map(|r| ReplyView::of(&t, r, name_of(r.drafted_by), reply_files(r.id)))
            .collect();
        panel.pending = panel
            .replies
            .iter()
            .rev()
            .find(|r| r.state == ReplyState::Pending)
            .cloned();
    }
    let page = TicketPage {
        t,
        panel,
        chrome: StaffChrome::new(state, lang, user, CHROME_PATH),
        code: ticket.code.clone(),
        code_display: TrackingCode::parse(&ticket.code)
            .map(|c| c.display())
            .unwrap_or(ticket.code.clone()),
        title: if confidential_hidden {
            t.t("staff-confidential-title")
        } else {
            ticket.title.clone()
        },
        status_label: t.t(&status.label_id()),
        confidential_hidden,
        sender,
        about,
        content: if confidential_hidden {
            String::new()
        } else {
            ticket.content.clone()
        },
        proposal: if confidential_hidden {
            None
        } else {
            ticket.proposal.clone()
        },
        dues,
        files: if confidential_hidden {
            Vec::new()
        } else {
            files
                .iter()
                .map(|f| FileView {
                    id: f.id,
                    filename: f.filename.clone(),
                    size: size_text(i64::from(f.size_bytes)),
                    origin: t.t(&format!("staff-file-{}", f.origin)),
                })
                .collect()
        },
        events: events
            .iter()
            .map(|e| EventView {
                at: format_datetime(e.at),
                who: match e.actor_kind {
                    ActorKind::Citizen => t.t("staff-actor-citizen"),
                    ActorKind::System => t.t("staff-actor-system"),
                    ActorKind::Staff => name_of(e.actor_id),
                },
                what: t.t(&format!("event-{}", e.event.replace('_', "-"))),
                body: if confidential_hidden {
                    None
                } else {
                    e.body.clone()
                },
                details: if confidential_hidden {
                    Vec::new()
                } else {
                    crate::web::kit::event_details::event_details(&t, &e.data)
                },
                public: e.public,
            })
            .collect(),
        routing,
        spam_reasons: ticket
            .spam_reasons
            .iter()
            .map(|r| t.t(&format!("mail-spam-reason-{r}")))
            .collect(),
    };
    Ok((http_status, crate::web::kit::page(lang, page)).into_response())
}

/// While the reply is overdue, a public progress note is due every
/// `[deadlines] progress_note_days` days (QĐ 31/2021): when the next one is due.
fn progress_duty(
    t: &Tr,
    state: &AppState,
    ticket: &TicketRow,
    status: Status,
    now: chrono::DateTime<Utc>,
) -> Option<String> {
    use crate::domain::calendar::{end_of_day_utc, local_date};
    if !status.is_open() || now < end_of_day_utc(ticket.reply_due) {
        return None;
    }
    let every = chrono::TimeDelta::days(i64::from(state.cfg.deadlines.progress_note_days.max(1)));
    let overdue_since = ticket.reply_due + chrono::TimeDelta::days(1);
    let from = ticket
        .last_public_note_at
        .map(local_date)
        .filter(|d| *d >= overdue_since)
        .unwrap_or(overdue_since);
    let due = from + every;
    let key = if local_date(now) > due {
        "handling-progress-late"
    } else {
        "handling-progress-due"
    };
    Some(t.t1(key, "date", format_date(due)))
}

/// `GET /staff/tickets/{code}/files/{id}`: a file, always as a download.
pub async fn download(
    State(state): State<SharedState>,
    user: StaffUser,
    Path((code, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let viewer = &user.access;
    let ticket = visible_ticket(&state, viewer, &code).await?;
    if ticket.confidential && !viewer.reads_confidential(ticket.unit_id) {
        return Err(AppError::NotFound);
    }
    let mut conn = state.pool.get().await?;
    let (filename, content_type, data, _origin) =
        tickets::attachment_data(&mut conn, ticket.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
    tickets::record_personal_data_view(&mut conn, viewer.user_id, ticket.id, "download").await?;
    drop(conn);
    let mut res = Response::new(Body::from(data));
    *res.status_mut() = StatusCode::OK;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&filename))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res.into_response())
}
