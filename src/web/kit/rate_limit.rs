//! Rate limits of public actions. Buckets are keyed by an HMAC of (limit, subject) under
//! a key that changes every day, so no raw IP address or email is ever stored.
//! Addresses in `[limits] exempt` are never limited.
//!
//! The day's key is HMAC(secret, day and the day's random salt). The salt is drawn once
//! per UTC day by whichever instance needs it first and kept in `rate_limit_salts`
//! (insert-on-conflict, then read: every instance agrees), cached per instance, and
//! deleted by the hourly sweep once the day is over. So a database dump, which holds the
//! secret, lets nobody recompute a past day's buckets and try every IPv4 address to see
//! who looked up which code (security review, finding 16).

use std::net::IpAddr;
use std::sync::RwLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel_async::AsyncPgConnection;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AppState;
use crate::auth::throttle;
use crate::config::Limit;
use crate::db::rate_limits;

/// What the throttle ([`throttle`]) says of an attempt past its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// After its slot in the queue.
    After(std::time::Duration),
    /// The queue is full: try again shortly, unchecked.
    Busy,
}

/// An attempt the throttle's queue is full for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl Admission {
    /// Waits for the slot; `Err(Busy)` when there is none.
    pub async fn wait(self) -> Result<(), Busy> {
        match self {
            Admission::After(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Admission::Busy => Err(Busy),
        }
    }
}

/// The answer to an attempt the throttle's queue is full for: 429, and `Retry-After`
/// the queue's length.
pub fn busy(mut page: axum::response::Response) -> axum::response::Response {
    *page.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
    page.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(throttle::QUEUE.as_secs()),
    );
    page
}

/// The limit of mail sent to one address by public actions (`[limits]
/// mail_per_address`): forgotten codes and filing acknowledgements count in one bucket
/// per address (security review, finding 11).
pub const MAIL_PER_RECIPIENT: &str = "mail_address";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    Limited { retry_after_secs: u32 },
}

/// The key of a UTC day's buckets: HMAC of the day and its random salt under the secret.
pub fn day_key(secret: &[u8], day: NaiveDate, salt: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"pakn-rate-limit|");
    mac.update(day.format("%Y-%m-%d").to_string().as_bytes());
    mac.update(b"|");
    mac.update(salt);
    mac.finalize().into_bytes().into()
}

/// The bucket id of (limit name, subject) under a day's key ([`day_key`]).
pub fn bucket(day_key: &[u8], name: &str, subject: &str) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(day_key).expect("HMAC takes any key length");
    mac.update(name.as_bytes());
    mac.update(b"|");
    mac.update(subject.as_bytes());
    mac.finalize().into_bytes()[..16].to_vec()
}

/// This instance's copy of today's key (one salt read per UTC day and instance).
#[derive(Default)]
pub struct DayKeys {
    today: RwLock<Option<(NaiveDate, [u8; 32])>>,
}

impl std::fmt::Debug for DayKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DayKeys")
    }
}

impl DayKeys {
    /// The key of `now`'s UTC day, reading (or drawing) the day's salt when this
    /// instance has not yet.
    pub async fn get(
        &self,
        conn: &mut AsyncPgConnection,
        secret: &[u8],
        now: DateTime<Utc>,
    ) -> diesel::QueryResult<[u8; 32]> {
        let day = now.date_naive();
        let cached = match self.today.read() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        };
        if let Some((d, key)) = cached
            && d == day
        {
            return Ok(key);
        }
        let fresh: [u8; 32] = rand::random();
        let salt = rate_limits::salt_of(conn, day, &fresh).await?;
        let key = day_key(secret, day, &salt);
        match self.today.write() {
            Ok(mut guard) => *guard = Some((day, key)),
            Err(poisoned) => *poisoned.into_inner() = Some((day, key)),
        }
        Ok(key)
    }
}

/// The subject a per-address limit counts: an IPv4 address as it is (an IPv4-mapped IPv6
/// address as its IPv4), an IPv6 address by its /64, since whoever holds one address of
/// a /64 usually holds them all and could otherwise take a fresh bucket per request.
pub fn address_subject(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// As [`address_subject`], an IPv6 address by its /48 (what one site or tunnel-broker
/// customer usually holds, 65,536 /64s): for budgets where one address's neighbours
/// lose nothing but convenience, such as the files kept for a form (security review,
/// finding 3). Filing stays per /64, so that subscribers of one mobile network who
/// share a /48 do not stop each other from filing.
pub fn wide_address_subject(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
        other => address_subject(other),
    }
}

fn window(now: DateTime<Utc>, limit: Limit) -> (DateTime<Utc>, u32) {
    let secs = i64::from(limit.window_secs.max(1));
    let start = now.timestamp() - now.timestamp().rem_euclid(secs);
    let left = (start + secs - now.timestamp()).max(1) as u32;
    (Utc.timestamp_opt(start, 0).single().unwrap_or(now), left)
}

impl AppState {
    pub fn is_exempt(&self, ip: IpAddr) -> bool {
        self.exempt.iter().any(|c| c.contains(ip))
    }

    /// The bucket of (limit name, subject) at `now`, under the day's salted key.
    pub async fn bucket_at(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        name: &str,
        subject: &str,
    ) -> diesel::QueryResult<Vec<u8>> {
        let key = self.rate_keys.get(conn, &self.secret, now).await?;
        Ok(bucket(&key, name, subject))
    }

    /// Counts one attempt of `name` by `subject` (an IP, an IP and a code, an address).
    pub async fn rate_limit(
        &self,
        conn: &mut AsyncPgConnection,
        name: &str,
        subject: &str,
        limit: Limit,
    ) -> diesel::QueryResult<Decision> {
        let now = Utc::now();
        let (start, left) = window(now, limit);
        let key = self.bucket_at(conn, now, name, subject).await?;
        let hits = rate_limits::hit(conn, &key, start).await?;
        Ok(if hits as u32 > limit.count {
            metrics::counter!("pakn_rate_limit_refusals_total", "limit" => name.to_string())
                .increment(1);
            Decision::Limited {
                retry_after_secs: left,
            }
        } else {
            Decision::Allowed
        })
    }

    /// Takes back one attempt of `name` by `subject` in the current window.
    pub async fn rate_limit_refund(
        &self,
        conn: &mut AsyncPgConnection,
        name: &str,
        subject: &str,
        limit: Limit,
    ) -> diesel::QueryResult<()> {
        let now = Utc::now();
        let (start, _) = window(now, limit);
        let key = self.bucket_at(conn, now, name, subject).await?;
        rate_limits::unhit(conn, &key, start).await?;
        Ok(())
    }

    /// Past a limit: the next slot of `subject`'s queue `name` ([`throttle`]), to wait
    /// for, or [`Admission::Busy`] when the queue is full.
    pub async fn queue_slot(
        &self,
        conn: &mut AsyncPgConnection,
        name: &str,
        subject: &str,
    ) -> diesel::QueryResult<Admission> {
        let key = self.bucket_at(conn, Utc::now(), name, subject).await?;
        let (step, queue) = (throttle::STEP.as_secs_f64(), throttle::QUEUE.as_secs_f64());
        Ok(
            match rate_limits::take_slot(conn, &key, step, queue).await? {
                Some(secs) => Admission::After(std::time::Duration::from_secs_f64(secs)),
                None => Admission::Busy,
            },
        )
    }

    /// How many attempts `subject` made in the current window, without counting one.
    pub async fn rate_limit_hits(
        &self,
        conn: &mut AsyncPgConnection,
        name: &str,
        subject: &str,
        limit: Limit,
    ) -> diesel::QueryResult<i32> {
        let now = Utc::now();
        let (start, _) = window(now, limit);
        let key = self.bucket_at(conn, now, name, subject).await?;
        rate_limits::peek(conn, &key, start).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_differ_by_day_salt_and_subject_and_hide_the_ip() {
        let d1 = NaiveDate::from_ymd_opt(2026, 11, 26).expect("day");
        let d2 = NaiveDate::from_ymd_opt(2026, 11, 27).expect("day");
        let k = day_key(b"secret", d1, b"salt-1");
        let a = bucket(&k, "submit", "203.0.113.9");
        assert_eq!(
            a,
            bucket(&day_key(b"secret", d1, b"salt-1"), "submit", "203.0.113.9")
        );
        assert_ne!(
            a,
            bucket(&day_key(b"secret", d2, b"salt-1"), "submit", "203.0.113.9")
        );
        assert_ne!(
            a,
            bucket(&day_key(b"secret", d1, b"salt-2"), "submit", "203.0.113.9")
        );
        assert_ne!(
            a,
            bucket(&day_key(b"other", d1, b"salt-1"), "submit", "203.0.113.9")
        );
        assert_ne!(a, bucket(&k, "submit", "203.0.113.8"));
        assert!(!a.windows(4).any(|w| w == [203, 0, 113, 9]));
    }

    #[test]
    fn an_ipv6_client_is_one_subject_per_64() {
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_subject(a), address_subject(b));
        assert_ne!(address_subject(a), address_subject(c));
        assert_eq!(address_subject(a), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().expect("ip");
        assert_eq!(address_subject(mapped), "203.0.113.9");
        let v4: IpAddr = "203.0.113.9".parse().expect("ip");
        assert_eq!(address_subject(v4), "203.0.113.9");
        assert_eq!(wide_address_subject(v4), "203.0.113.9");
        assert_eq!(wide_address_subject(mapped), "203.0.113.9");
        assert_eq!(wide_address_subject(a), wide_address_subject(c));
        assert_eq!(wide_address_subject(a), "2001:db8:1::/48");
    }

    #[test]
    fn windows_are_aligned() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 26, 10, 7, 30)
            .single()
            .expect("time");
        let (start, left) = window(
            t,
            Limit {
                count: 1,
                window_secs: 900,
            },
        );
        assert_eq!(
            start,
            Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0)
                .single()
                .expect("time")
        );
        assert_eq!(left, 450);
    }
}
