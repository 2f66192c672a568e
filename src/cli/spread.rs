//! Work spread over the seed's Postgres connections: each connection takes the next item
//! as soon as it is free, so one long item does not hold the others up.

use tokio_postgres::Client;

/// Runs `work` on every item, taken from the end of `items`, on whichever of `clients`
/// is free; the first error stops the rest.
pub async fn over<T>(
    clients: &[Client],
    items: Vec<T>,
    work: impl AsyncFn(&Client, T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let queue = std::sync::Mutex::new(items);
    let work = &work;
    futures_util::future::try_join_all(clients.iter().map(|client| {
        let queue = &queue;
        async move {
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(item) = next else {
                    return anyhow::Ok(());
                };
                work(client, item).await?;
            }
        }
    }))
    .await?;
    Ok(())
}
