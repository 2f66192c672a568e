//! The mail to the admins when a subscription is switched off for failing: which client,
//! which address, since when, and where to switch it on again and replay. In Vietnamese;
//! staff addresses only.

use diesel_async::AsyncPgConnection;

use crate::config::Config;
use crate::db::privacy::admin_emails;
use crate::db::webhooks::SwitchedOff;
use crate::domain::calendar::format_datetime;
use crate::i18n::{Lang, Tr};
use crate::mail::{OutgoingMail, enqueue};

pub const KIND: &str = "webhook_switched_off";

/// Queues the mail (nothing when no admin has an address).
pub async fn switched_off(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    s: &SwitchedOff,
) -> diesel::QueryResult<()> {
    let to = admin_emails(conn).await?;
    if to.is_empty() {
        return Ok(());
    }
    enqueue(conn, mail(cfg, to, s)).await?;
    Ok(())
}

fn mail(cfg: &Config, to: Vec<String>, s: &SwitchedOff) -> OutgoingMail {
    let t = Tr::new(Lang::Vi);
    let link = format!(
        "{}/staff/admin/api-clients",
        cfg.server.public_url.trim_end_matches('/')
    );
    let body_text = format!(
        "{intro}\n\n{client_label}: {client}\n{url_label}: {url}\n{since_label}: {since}\n\n{what}\n{link}\n\n-- \n{site}\n{auto}\n",
        intro = t.t("webhook-off-intro"),
        client_label = t.t("webhook-off-client"),
        client = s.client_name,
        url_label = t.t("webhook-off-url"),
        url = s.url,
        since_label = t.t("webhook-off-since"),
        since = format_datetime(s.failing_since),
        what = t.t("webhook-off-what"),
        site = cfg.site.name_vi,
        auto = t.t("mail-auto-note"),
    );
    OutgoingMail {
        kind: KIND.into(),
        ticket_id: None,
        to,
        cc: Vec::new(),
        lang: Lang::Vi.code().into(),
        subject: t.t1("webhook-off-subject", "client", s.client_name.clone()),
        body_text,
        body_html: None,
        attachment_ids: Vec::new(),
    }
}
