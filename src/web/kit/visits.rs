//! The visitor counter of the seed page: total visits (page views of public pages),
//! visits today, and who is online (distinct visitors in the last 5 minutes).
//!
//! A page view costs no database write: [`count`] adds it to this instance's memory, and
//! [`Visits::flush`] (every [`FLUSH_EVERY`], see [`spawn_flusher`]) adds the batch to
//! `visit_days` and `visitors_online`, so every instance's views add up in Postgres, and
//! reads the totals back into a cache that the home page shows.
//!
//! Visitors are told apart by an HMAC of their address under the shared secret and a
//! random salt drawn once per day and kept in `visit_days.salt` (the same on every
//! instance, so one person seen by two instances counts once). No table ever holds an
//! address; past days' salts are wiped, so old hashes can never be linked back. Only when
//! the day's salt is not loaded yet (the first seconds of a day or of an instance) does
//! an address wait in memory, until the next flush hashes it.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::SharedState;
use super::client_ip;
use crate::db::Pool;
use crate::db::visits::{self, Totals};
use crate::domain::calendar::local_date;

type HmacSha256 = Hmac<Sha256>;

/// How often each instance writes its batch and reloads the totals.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);
/// "Online" means seen within this window.
pub const ONLINE_SECS: i32 = 5 * 60;
/// Visitors not seen for this long are deleted.
const FORGET_AFTER_SECS: i32 = 10 * 60;
/// Addresses held unhashed at most (while the day's salt loads); more are dropped.
const MAX_UNHASHED: usize = 50_000;

/// A visitor's identity for one day: 16 bytes of HMAC.
pub type VisitorHash = [u8; 16];

#[derive(Debug, Default)]
struct Pending {
    views: HashMap<NaiveDate, i64>,
    visitors: HashSet<VisitorHash>,
    unhashed: HashSet<IpAddr>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.views.is_empty() && self.visitors.is_empty() && self.unhashed.is_empty()
    }

    fn merge(&mut self, other: Pending) {
        for (day, n) in other.views {
            *self.views.entry(day).or_default() += n;
        }
        self.visitors.extend(other.visitors);
        for ip in other.unhashed {
            if self.unhashed.len() < MAX_UNHASHED {
                self.unhashed.insert(ip);
            }
        }
    }
}

/// The day's keyed hasher: HMAC(secret, "visitor|" + salt) as the key of each hash.
#[derive(Clone)]
struct DayKey {
    day: NaiveDate,
    mac: HmacSha256,
}

impl DayKey {
    fn new(secret: &[u8], day: NaiveDate, salt: &[u8]) -> DayKey {
        let mut outer = <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes any key");
        outer.update(b"pakn-visitor|");
        outer.update(salt);
        let key = outer.finalize().into_bytes();
        DayKey {
            day,
            mac: <HmacSha256 as Mac>::new_from_slice(&key).expect("HMAC takes any key"),
        }
    }

    fn hash(&self, ip: IpAddr) -> VisitorHash {
        let mut mac = self.mac.clone();
        match ip.to_canonical() {
            IpAddr::V4(v4) => mac.update(&v4.octets()),
            IpAddr::V6(v6) => mac.update(&v6.octets()),
        }
        let out = mac.finalize().into_bytes();
        let mut hash = [0u8; 16];
        hash.copy_from_slice(&out[..16]);
        hash
    }
}

/// One instance's counter.
pub struct Visits {
    secret: Vec<u8>,
    key: RwLock<Option<DayKey>>,
    pending: Mutex<Pending>,
    totals: RwLock<Totals>,
    last_sweep: Mutex<Option<DateTime<Utc>>>,
    /// One flush at a time per instance: a flush that found the batch already taken by
    /// one in flight would otherwise read totals without it.
    flushing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Visits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Visits")
    }
}

impl Visits {
    pub fn new(secret: &[u8]) -> Visits {
        Visits {
            secret: secret.to_vec(),
            key: RwLock::new(None),
            pending: Mutex::new(Pending::default()),
            totals: RwLock::new(Totals::default()),
            last_sweep: Mutex::new(None),
            flushing: tokio::sync::Mutex::new(()),
        }
    }

    /// Counts one page view by `ip` (memory only).
    pub fn record(&self, ip: IpAddr, now: DateTime<Utc>) {
        let day = local_date(now);
        let hash = match self.key.read() {
            Ok(key) => key.as_ref().filter(|k| k.day == day).map(|k| k.hash(ip)),
            Err(_) => None,
        };
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        *pending.views.entry(day).or_default() += 1;
        match hash {
            Some(h) => {
                pending.visitors.insert(h);
            }
            None if pending.unhashed.len() < MAX_UNHASHED => {
                pending.unhashed.insert(ip);
            }
            None => {}
        }
    }

    /// The totals as of the last flush (a few seconds old at most).
    pub fn totals(&self) -> Totals {
        self.totals.read().map(|t| *t).unwrap_or_default()
    }

    fn take(&self) -> Pending {
        self.pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }

    fn put_back(&self, batch: Pending) {
        if let Ok(mut p) = self.pending.lock() {
            p.merge(batch);
        }
    }

    /// Writes this instance's batch and reloads the totals. A batch that fails to write
    /// is kept for the next flush.
    pub async fn flush(&self, pool: &Pool) -> anyhow::Result<Totals> {
        let _one_at_a_time = self.flushing.lock().await;
        let now = Utc::now();
        let today = local_date(now);
        let mut conn = pool.get().await?;
        let key = self.key.read().ok().and_then(|k| k.clone());
        let key = match key {
            Some(k) if k.day == today => k,
            _ => {
                let fresh: [u8; 32] = rand::random();
                let salt = visits::salt_of(&mut conn, today, &fresh).await?;
                let k = DayKey::new(&self.secret, today, &salt);
                if let Ok(mut slot) = self.key.write() {
                    *slot = Some(k.clone());
                }
                k
            }
        };
        let batch = self.take();
        if !batch.is_empty() {
            let written: anyhow::Result<()> = async {
                let mut hashes: HashSet<VisitorHash> = batch.visitors.clone();
                hashes.extend(batch.unhashed.iter().map(|ip| key.hash(*ip)));
                for (day, n) in &batch.views {
                    if *day != today {
                        let fresh: [u8; 32] = rand::random();
                        visits::salt_of(&mut conn, *day, &fresh).await?;
                    }
                    visits::add_views(&mut conn, *day, *n).await?;
                }
                let hashes: Vec<Vec<u8>> = hashes.into_iter().map(|h| h.to_vec()).collect();
                visits::seen(&mut conn, &hashes).await?;
                Ok(())
            }
            .await;
            if let Err(e) = written {
                self.put_back(batch);
                return Err(e);
            }
        }
        let sweep_due = self
            .last_sweep
            .lock()
            .map(|mut last| {
                let due = last.is_none_or(|t| now - t > chrono::TimeDelta::seconds(60));
                if due {
                    *last = Some(now);
                }
                due
            })
            .unwrap_or(false);
        if sweep_due {
            visits::sweep(&mut conn, today, FORGET_AFTER_SECS).await?;
        }
        let totals = visits::totals(&mut conn, today, ONLINE_SECS).await?;
        if let Ok(mut t) = self.totals.write() {
            *t = totals;
        }
        Ok(totals)
    }
}

/// Flushes every [`FLUSH_EVERY`] for as long as the process runs.
pub fn spawn_flusher(state: SharedState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = state.visits.flush(&state.pool).await {
                tracing::warn!(error = %format!("{e:#}"), "visitor counter flush failed");
            }
        }
    });
}

/// Counts a successful GET of a public HTML page (not staff pages, files or assets).
pub async fn count(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let counted = state.cfg.site.visitor_counter
        && req.method() == Method::GET
        && !req.uri().path().starts_with("/staff");
    let ip = counted.then(|| {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let xff = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        client_ip::resolve(peer, xff, &state.trusted_proxies)
    });
    let res = next.run(req).await;
    if let Some(ip) = ip
        && res.status() == StatusCode::OK
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"))
    {
        state.visits.record(ip, Utc::now());
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("date")
    }

    #[test]
    fn hashes_depend_on_salt_and_secret_and_hide_the_address() {
        let ip: IpAddr = "203.0.113.9".parse().expect("ip");
        let a = DayKey::new(b"secret", day(28), b"salt-1").hash(ip);
        assert_eq!(a, DayKey::new(b"secret", day(28), b"salt-1").hash(ip));
        assert_ne!(a, DayKey::new(b"secret", day(28), b"salt-2").hash(ip));
        assert_ne!(a, DayKey::new(b"other", day(28), b"salt-1").hash(ip));
        assert!(!a.windows(4).any(|w| w == [203, 0, 113, 9]));
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().expect("ip");
        assert_eq!(a, DayKey::new(b"secret", day(28), b"salt-1").hash(mapped));
    }

    #[test]
    fn views_count_in_memory_and_addresses_wait_for_the_salt() {
        let v = Visits::new(b"secret");
        let now = Utc::now();
        let ip: IpAddr = "198.51.100.7".parse().expect("ip");
        v.record(ip, now);
        v.record(ip, now);
        let p = v.take();
        assert_eq!(p.views.values().sum::<i64>(), 2);
        assert_eq!(
            p.unhashed.len(),
            1,
            "no salt yet: the address waits unhashed"
        );
        assert!(p.visitors.is_empty());
        if let Ok(mut k) = v.key.write() {
            *k = Some(DayKey::new(b"secret", local_date(now), b"salt"));
        }
        v.record(ip, now);
        let p = v.take();
        assert_eq!(p.visitors.len(), 1);
        assert!(p.unhashed.is_empty());
    }
}
