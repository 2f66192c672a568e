//! The counts beside the queue and on the overview, kept in memory for a few seconds
//! (`[server] counts_cache_secs`) per scope. They come from the counters and the
//! open-tickets index and are cheap, but not free: at 1,000,000 tickets the overdue and
//! due-soon counts over every unit walk ~100,000 index entries, on every page view of
//! every leader. A few seconds stale is fine for a count; the pages say when they were
//! counted. Each instance keeps its own copy (nothing here is needed by another).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::overview::{CounterLine, DueLine};

/// A value and when it was computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<V> {
    pub value: V,
    pub at: DateTime<Utc>,
}

/// Entries a map holds before it forgets them all (scopes are few: units × lĩnh vực).
const MAX_ENTRIES: usize = 4096;

/// A map whose entries live `ttl`; a zero `ttl` keeps nothing.
pub struct TtlMap<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, Counted<V>)>>,
}

impl<K: Hash + Eq, V: Clone> TtlMap<K, V> {
    pub fn new(ttl: Duration) -> TtlMap<K, V> {
        TtlMap {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The entry of `key` if it is younger than the ttl at `now`.
    pub fn get_at(&self, key: &K, now: Instant) -> Option<Counted<V>> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(stored, _)| now.saturating_duration_since(*stored) < self.ttl)
            .map(|(_, counted)| counted.clone())
    }

    /// Keeps `value` for `key` from `now`, and returns it with its time.
    pub fn put_at(&self, key: K, value: V, now: Instant, at: DateTime<Utc>) -> Counted<V> {
        let counted = Counted { value, at };
        if self.ttl.is_zero() {
            return counted;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                let ttl = self.ttl;
                entries.retain(|_, (stored, _)| now.saturating_duration_since(*stored) < ttl);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (now, counted.clone()));
        }
        counted
    }

    pub fn get(&self, key: &K) -> Option<Counted<V>> {
        self.get_at(key, Instant::now())
    }

    pub fn put(&self, key: K, value: V) -> Counted<V> {
        self.put_at(key, value, Instant::now(), Utc::now())
    }
}

/// Tickets per status (unit or all, lĩnh vực or all).
pub type StatusKey = (Option<i32>, Option<String>);
/// Overdue and due-soon (unit or all, today, last "soon" date).
pub type DueKey = (Option<i32>, NaiveDate, NaiveDate);
/// The overview's lines (unit or all, today).
pub type OverviewKey = (Option<i32>, NaiveDate);

/// Every cached count of this instance.
pub struct CountsCache {
    pub ttl: Duration,
    pub by_status: TtlMap<StatusKey, Vec<(String, i64)>>,
    pub due: TtlMap<DueKey, (i64, i64)>,
    pub overview: TtlMap<OverviewKey, (Vec<CounterLine>, Vec<DueLine>)>,
}

impl CountsCache {
    pub fn new(ttl_secs: u64) -> CountsCache {
        let ttl = Duration::from_secs(ttl_secs);
        CountsCache {
            ttl,
            by_status: TtlMap::new(ttl),
            due: TtlMap::new(ttl),
            overview: TtlMap::new(ttl),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_live_their_ttl_and_a_zero_ttl_keeps_nothing() {
        let map: TtlMap<u8, i64> = TtlMap::new(Duration::from_secs(5));
        let t0 = Instant::now();
        let at = Utc::now();
        assert_eq!(map.get_at(&1, t0), None);
        let put = map.put_at(1, 42, t0, at);
        assert_eq!(put, Counted { value: 42, at });
        assert_eq!(map.get_at(&1, t0 + Duration::from_secs(4)), Some(put));
        assert_eq!(map.get_at(&1, t0 + Duration::from_secs(5)), None);
        assert_eq!(map.get_at(&2, t0), None);

        let off: TtlMap<u8, i64> = TtlMap::new(Duration::ZERO);
        off.put_at(1, 42, t0, at);
        assert_eq!(off.get_at(&1, t0), None);
    }

    #[test]
    fn a_full_map_forgets_old_entries_first() {
        let map: TtlMap<usize, usize> = TtlMap::new(Duration::from_secs(5));
        let t0 = Instant::now();
        let at = Utc::now();
        for i in 0..MAX_ENTRIES {
            map.put_at(i, i, t0, at);
        }
        let later = t0 + Duration::from_secs(6);
        map.put_at(MAX_ENTRIES, 1, later, at);
        assert_eq!(map.get_at(&0, later), None);
        assert_eq!(map.get_at(&MAX_ENTRIES, later).map(|c| c.value), Some(1));
        assert!(map.entries.lock().map(|e| e.len()).unwrap_or(0) == 1);
    }
}
