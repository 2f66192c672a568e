//! Wakes this instance's inbound pass when `pakn mail receive` announces a stored
//! message (`NOTIFY pakn_inbound`), so a pipe-delivered message is processed at once by
//! an instance whose connections and reference data are warm. One dedicated connection
//! LISTENs; when it fails (or the database wants TLS, which this plain connection does
//! not speak), it reconnects after a pause and the periodic pass still takes
//! everything meanwhile.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::db::inbound::CHANNEL;

/// Listens until the process ends.
pub fn spawn(url: String, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = listen(&url, &wake).await {
                tracing::warn!(error = %format!("{e:#}"), "inbound LISTEN connection lost; retrying");
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
}

async fn listen(url: &str, wake: &Notify) -> anyhow::Result<()> {
    let (client, mut connection) = tokio_postgres::connect(url, NoTls).await?;
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {CHANNEL}");
    {
        let listening = client.batch_execute(&statement);
        // The connection must be polled for the LISTEN to complete.
        tokio::pin!(listening);
        loop {
            tokio::select! {
                done = &mut listening => { done?; break; }
                message = messages.next() => match message {
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                    None => anyhow::bail!("connection closed"),
                },
            }
        }
    }
    // Catch anything stored while not listening.
    wake.notify_one();
    while let Some(message) = messages.next().await {
        if let AsyncMessage::Notification(_) = message? {
            wake.notify_one();
        }
    }
    drop(client);
    anyhow::bail!("connection closed")
}
