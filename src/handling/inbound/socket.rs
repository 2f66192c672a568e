//! The hand-off of `pakn mail receive` to a running `pakn serve` (`[mail.inbound]
//! socket`): a Unix socket, owner and group only. The pipe writes the message's full
//! size and its kept bytes; the instance stores them with a pooled connection (one
//! commit, read to its end) and answers `OK` only then, and wakes its inbound pass. A
//! new database connection per delivered message costs Postgres more than storing and
//! processing the message (bench/results.md, issue 16); here the pipe opens none.
//!
//! Frame: `u64` full size, `u64` length of the bytes that follow, the bytes (big
//! endian). Answer: `OK\n` (stored, or already stored) or `ERR\n` (the pipe then stores
//! directly, and a duplicate of a message stored after all is recognised by its key).

use std::path::Path;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Notify;

use super::{Stored, store};
use crate::config::Config;
use crate::db::Pool;
use crate::domain::inbound::InboundSource;

/// Listens on `[mail.inbound] socket` until the process ends (nothing when unset).
pub fn spawn(pool: Pool, cfg: Arc<Config>, wake: Arc<Notify>) -> anyhow::Result<()> {
    let path = cfg.mail.inbound.socket.trim().to_string();
    if path.is_empty() {
        return Ok(());
    }
    let listener = bind(Path::new(&path))?;
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let (pool, cfg, wake) = (pool.clone(), Arc::clone(&cfg), Arc::clone(&wake));
                    tokio::spawn(async move {
                        if let Err(e) = serve_one(stream, &pool, &cfg, &wake).await {
                            tracing::warn!(error = %format!("{e:#}"), "inbound socket: message not taken");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "inbound socket: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(())
}

/// Binds the socket (a stale file of an earlier run is removed first), mode 0660.
fn bind(path: &Path) -> anyhow::Result<UnixListener> {
    use anyhow::Context as _;
    use std::os::unix::fs::PermissionsExt;
    if path.exists() {
        std::fs::remove_file(path)
            .with_context(|| format!("mail.inbound.socket: removing {}", path.display()))?;
    }
    let listener = UnixListener::bind(path)
        .with_context(|| format!("mail.inbound.socket: cannot listen on {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .with_context(|| format!("mail.inbound.socket: mode of {}", path.display()))?;
    Ok(listener)
}

async fn serve_one(
    mut stream: UnixStream,
    pool: &Pool,
    cfg: &Config,
    wake: &Notify,
) -> anyhow::Result<()> {
    let total = usize::try_from(stream.read_u64().await?)?;
    let len = usize::try_from(stream.read_u64().await?)?;
    anyhow::ensure!(
        len <= cfg.mail.inbound.max_bytes.saturating_add(1) && len <= total,
        "frame of {len} bytes refused"
    );
    let mut raw = vec![0u8; len];
    stream.read_exact(&mut raw).await?;
    let stored = async {
        let mut conn = pool.get().await?;
        anyhow::Ok(store(&mut conn, cfg, InboundSource::Pipe, &raw, total).await?)
    }
    .await;
    match stored {
        Ok(s) => {
            stream.write_all(b"OK\n").await?;
            if matches!(s, Stored::New(_)) {
                wake.notify_one();
            }
            Ok(())
        }
        Err(e) => {
            stream.write_all(b"ERR\n").await?;
            Err(e)
        }
    }
}

/// The pipe's side: hands `raw` (of full size `total`) to the instance listening on
/// `path`; `true` once it answered that the message is stored.
pub async fn hand_over(path: &str, raw: &[u8], total: usize) -> anyhow::Result<bool> {
    use std::time::Duration;
    let mut stream =
        tokio::time::timeout(Duration::from_secs(2), UnixStream::connect(path)).await??;
    let exchange = async {
        stream.write_u64(total as u64).await?;
        stream.write_u64(raw.len() as u64).await?;
        stream.write_all(raw).await?;
        stream.flush().await?;
        let mut answer = [0u8; 3];
        stream.read_exact(&mut answer).await?;
        anyhow::Ok(&answer == b"OK\n")
    };
    tokio::time::timeout(Duration::from_secs(60), exchange).await?
}
