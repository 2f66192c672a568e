//! `pakn bench-tokens`: valid form tokens for load tests, backdated past
//! `[spam] min_fill_secs` so that benchmark filings are not flagged as too fast.

use anyhow::{Context, bail};
use rand::RngCore;

use crate::config::Config;
use crate::domain::form_token::{FormKind, FormTokenKey};

pub async fn run(
    cfg: &Config,
    count: u64,
    form: &str,
    issued_ago: Option<i64>,
) -> anyhow::Result<()> {
    let kind = match form {
        "feedback" => FormKind::Feedback,
        "track" => FormKind::Track,
        "login" => FormKind::Login,
        other => bail!("--form must be feedback, track or login, not {other:?}"),
    };
    let secret = match cfg.security.secret.as_str() {
        "" => {
            crate::app::prepare(cfg).await?;
            let mut conn = crate::db::connect(&cfg.database.url).await?;
            crate::db::settings::get(&mut conn, crate::db::settings::SECRET_KEY)
                .await?
                .context("no secret in the database")?
        }
        s => s.to_string(),
    };
    let key = FormTokenKey::new(secret.as_bytes());
    let ago = issued_ago.unwrap_or(cfg.spam.min_fill_secs + 1);
    let issued = chrono::Utc::now().timestamp() - ago;
    let mut out = String::with_capacity(count as usize * 60);
    let mut rng = rand::rng();
    for _ in 0..count {
        let mut nonce = [0u8; 16];
        rng.fill_bytes(&mut nonce);
        out.push_str(&key.issue(kind, issued, nonce));
        out.push('\n');
    }
    use std::io::Write;
    std::io::stdout()
        .write_all(out.as_bytes())
        .context("writing tokens")?;
    Ok(())
}
