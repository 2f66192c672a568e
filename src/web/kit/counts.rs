//! The counts beside the queue and on the overview, kept in memory for a few seconds
//! (`[server] counts_cache_secs`) per scope. They come from the counters and the
//! open-tickets index and are cheap, but not free: at 1,000,000 tickets the overdue and
//! due-soon counts over every unit walk ~100,000 index entries, on every page view of
//! every leader. A few seconds stale is fine for a count; the pages say when they were
//! counted. Word searches keep their ranking with their count (the ids only: the rows
//! shown are read afresh). Each instance keeps its own copy (nothing here is needed by
//! another).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::answers_search::RankedAnswers;
use crate::db::overview::OverviewCounts;
use crate::db::queue_search::Ranked;
use crate::db::reports::PublicRow;

/// A value and when it was computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted<V> {
    pub value: V,
    pub at: DateTime<Utc>,
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<V> {
    /// Counted within the ttl, or older while another request is counting afresh.
    Use(Counted<V>),
    /// The caller counts (nothing kept, or it is old and nobody else is counting) and
    /// then [`TtlMap::put`]s the result.
    Count,
}

/// Entries a map holds before it forgets them all (scopes are few: units × lĩnh vực).
const MAX_ENTRIES: usize = 4096;

struct Entry<V> {
    stored: Instant,
    counted: Counted<V>,
    /// Since when one request has been counting this entry afresh.
    counting_since: Option<Instant>,
}

/// A map whose entries are fresh for `ttl`; a zero `ttl` keeps nothing.
///
/// When an entry gets old, the first request to see it counts again while the others
/// go on with the old figures until the new ones are in: without that, every request
/// in flight at the moment of expiry would count at once (16 concurrent leaders'
/// pages: 16 overview scans together, and a p99 of 0.8 s at 1M tickets).
pub struct TtlMap<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K: Hash + Eq, V: Clone> TtlMap<K, V> {
    pub fn new(ttl: Duration) -> TtlMap<K, V> {
        TtlMap {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Looks `key` up at `now`.
    pub fn lookup_at(&self, key: &K, now: Instant) -> Lookup<V> {
        if self.ttl.is_zero() {
            return Lookup::Count;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return Lookup::Count;
        };
        let Some(entry) = entries.get_mut(key) else {
            return Lookup::Count;
        };
        if now.saturating_duration_since(entry.stored) < self.ttl {
            return Lookup::Use(entry.counted.clone());
        }
        // Old. One request counts; should it fail or vanish, another takes over after
        // a ttl.
        match entry.counting_since {
            Some(since) if now.saturating_duration_since(since) < self.ttl => {
                Lookup::Use(entry.counted.clone())
            }
            _ => {
                entry.counting_since = Some(now);
                Lookup::Count
            }
        }
    }

    /// Keeps `value` for `key` from `now`, and returns it with its time.
    pub fn put_at(&self, key: K, value: V, now: Instant, at: DateTime<Utc>) -> Counted<V> {
        let counted = Counted { value, at };
        if self.ttl.is_zero() {
            return counted;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
                // Only a flood of made-up filters gets here (`field` comes from the URL).
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    stored: now,
                    counted: counted.clone(),
                    counting_since: None,
                },
            );
        }
        counted
    }

    pub fn lookup(&self, key: &K) -> Lookup<V> {
        self.lookup_at(key, Instant::now())
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
/// The rows a queue filter finds, counted up to a bound: the filter without its paging,
/// and the viewer's scope, as text (`web/tickets` builds it).
pub type QueueTotalKey = String;

/// A word search's ranking and its count up to the bound, kept like a count: every page
/// of one search reads them from here (its pages then never overlap while they are
/// kept), and a search repeated within the ttl costs one read of its page's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptSearch<R> {
    pub ranked: R,
    /// Found, up to the bound + 1.
    pub total: i64,
}

/// How long words are known to be rare (how often a word's share of PAKN changes much).
pub const RARE_WORDS_SECS: u64 = 600;

/// Every cached count of this instance.
pub struct CountsCache {
    pub ttl: Duration,
    pub by_status: TtlMap<StatusKey, Vec<(String, i64)>>,
    pub due: TtlMap<DueKey, (i64, i64)>,
    pub overview: TtlMap<OverviewKey, OverviewCounts>,
    pub queue_total: TtlMap<QueueTotalKey, Option<i64>>,
    /// Staff word searches, by the same key as `queue_total`.
    pub queue_search: TtlMap<QueueTotalKey, KeptSearch<Ranked>>,
    /// `/answers` searches, by their words, lĩnh vực and year.
    pub answers_search: TtlMap<String, KeptSearch<RankedAnswers>>,
    /// Words whose last search found its matches through the GIN index (too few among
    /// the newest rows), by their query and scope: the next search of them skips the
    /// walk of the newest rows, which they would walk in vain. Kept [`RARE_WORDS_SECS`].
    pub rare_words: TtlMap<String, bool>,
    /// The public figures (`/statistics`) of this year and the last, by today's date.
    pub statistics: TtlMap<NaiveDate, PublicYears>,
}

/// The public figures' rows: this year so far, and the last year.
pub type PublicYears = (Vec<PublicRow>, Vec<PublicRow>);

impl CountsCache {
    pub fn new(ttl_secs: u64) -> CountsCache {
        let ttl = Duration::from_secs(ttl_secs);
        CountsCache {
            ttl,
            by_status: TtlMap::new(ttl),
            due: TtlMap::new(ttl),
            overview: TtlMap::new(ttl),
            queue_total: TtlMap::new(ttl),
            queue_search: TtlMap::new(ttl),
            answers_search: TtlMap::new(ttl),
            rare_words: TtlMap::new(if ttl.is_zero() {
                ttl
            } else {
                Duration::from_secs(RARE_WORDS_SECS)
            }),
            statistics: TtlMap::new(ttl),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// Whether the words of `key` are known to be rare.
    pub fn rare(&self, key: &str) -> bool {
        matches!(self.rare_words.lookup(&key.to_string()), Lookup::Use(c) if c.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(5);

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn fresh_entries_are_used_and_a_zero_ttl_keeps_nothing() {
        let map: TtlMap<u8, i64> = TtlMap::new(TTL);
        let t0 = Instant::now();
        let at = Utc::now();
        assert_eq!(map.lookup_at(&1, t0), Lookup::Count);
        let put = map.put_at(1, 42, t0, at);
        assert_eq!(put, Counted { value: 42, at });
        assert_eq!(map.lookup_at(&1, t0 + secs(4)), Lookup::Use(put));
        assert_eq!(map.lookup_at(&2, t0), Lookup::Count);

        let off: TtlMap<u8, i64> = TtlMap::new(Duration::ZERO);
        off.put_at(1, 42, t0, at);
        assert_eq!(off.lookup_at(&1, t0), Lookup::Count);
    }

    #[test]
    fn one_request_recounts_an_old_entry_while_the_others_use_it() {
        let map: TtlMap<u8, i64> = TtlMap::new(TTL);
        let t0 = Instant::now();
        let at = Utc::now();
        let old = map.put_at(1, 42, t0, at);
        let t1 = t0 + secs(6);
        assert_eq!(map.lookup_at(&1, t1), Lookup::Count, "the first one counts");
        assert_eq!(map.lookup_at(&1, t1), Lookup::Use(old.clone()));
        assert_eq!(map.lookup_at(&1, t1 + secs(4)), Lookup::Use(old));
        // The counting request never came back: another takes over after a ttl.
        assert_eq!(map.lookup_at(&1, t1 + secs(5)), Lookup::Count);
        let new = map.put_at(1, 43, t1 + secs(5), at);
        assert_eq!(map.lookup_at(&1, t1 + secs(6)), Lookup::Use(new));
    }

    #[test]
    fn a_full_map_starts_over() {
        let map: TtlMap<usize, usize> = TtlMap::new(TTL);
        let t0 = Instant::now();
        let at = Utc::now();
        for i in 0..MAX_ENTRIES {
            map.put_at(i, i, t0, at);
        }
        map.put_at(0, 7, t0, at);
        assert_eq!(
            map.entries.lock().map(|e| e.len()).unwrap_or(0),
            MAX_ENTRIES
        );
        map.put_at(MAX_ENTRIES, 1, t0, at);
        assert_eq!(map.lookup_at(&1, t0), Lookup::Count);
        assert!(matches!(
            map.lookup_at(&MAX_ENTRIES, t0),
            Lookup::Use(Counted { value: 1, .. })
        ));
        assert_eq!(map.entries.lock().map(|e| e.len()).unwrap_or(0), 1);
    }
}
