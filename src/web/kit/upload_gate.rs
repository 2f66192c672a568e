//! At most `[uploads] per_address` uploads parsed at once per client address (security
//! review, finding 6): eight slow clients from one address once held all eight upload
//! permits. Further uploads from that address wait for one of its own to end, before
//! taking a permit of the instance's semaphore, so other addresses still get theirs.
//! An address's entry lives only while it has uploads running or waiting.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The uploads running per client address on this instance.
#[derive(Debug)]
pub struct UploadGate {
    per_address: usize,
    open: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// One upload's place among its address's; gives it back when dropped.
#[derive(Debug)]
pub struct AddressPermit {
    permit: Option<OwnedSemaphorePermit>,
    subject: String,
    gate: Arc<UploadGate>,
}

impl UploadGate {
    pub fn new(per_address: usize) -> UploadGate {
        UploadGate {
            per_address: per_address.max(1),
            open: Mutex::new(HashMap::new()),
        }
    }

    fn open(&self) -> MutexGuard<'_, HashMap<String, Arc<Semaphore>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a place among `subject`'s uploads (an address as
    /// [`super::rate_limit::address_subject`] gives it).
    pub async fn enter(self: &Arc<Self>, subject: String) -> AddressPermit {
        let semaphore = {
            let mut open = self.open();
            let per_address = self.per_address;
            Arc::clone(
                open.entry(subject.clone())
                    .or_insert_with(|| Arc::new(Semaphore::new(per_address))),
            )
        };
        // The semaphore is never closed, so acquiring only fails if it were.
        let permit = semaphore.acquire_owned().await.ok();
        AddressPermit {
            permit,
            subject,
            gate: Arc::clone(self),
        }
    }

    /// How many addresses have uploads running or waiting.
    pub fn addresses(&self) -> usize {
        self.open().len()
    }
}

impl Drop for AddressPermit {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut open = self.gate.open();
        // Only the map holds the semaphore now: nobody runs or waits for this address.
        if let Some(semaphore) = open.get(&self.subject)
            && Arc::strong_count(semaphore) == 1
        {
            open.remove(&self.subject);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_waits_for_its_own_uploads_and_is_forgotten_after() {
        let gate = Arc::new(UploadGate::new(2));
        let a1 = gate.enter("203.0.113.9".into()).await;
        let a2 = gate.enter("203.0.113.9".into()).await;
        let b = gate.enter("203.0.113.8".into()).await;
        let third = tokio::spawn({
            let gate = Arc::clone(&gate);
            async move { gate.enter("203.0.113.9".into()).await }
        });
        tokio::task::yield_now().await;
        assert!(!third.is_finished(), "a third upload of one address waits");
        drop(a1);
        let a3 = third.await.expect("entered once one ended");
        drop((a2, a3, b));
        assert_eq!(gate.addresses(), 0, "no entry left behind");
    }
}
