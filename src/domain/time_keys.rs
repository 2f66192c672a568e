//! Random identifiers that begin with their time: a PAKN's tracking code (its day), its
//! public id (Open311's `service_request_id`, its mails' thread) and its private link's
//! token, and its mails' `Message-ID`s (their second).
//!
//! Each has a unique index (on `tickets`, on `outbox`). Fully random, every filing wrote
//! its keys into random leaf pages of indexes larger than Postgres's buffers (at
//! 1,000,000 PAKN the tokens' index is 140 MB, the public ids' 80 MB): a page read and,
//! after each checkpoint, a full-page image in the WAL per key (bench/results.md, issue
//! 21). With the time first, in an alphabet whose byte order is the order of its digits,
//! the keys of one moment sit side by side at the index's recent end, in pages already
//! in memory. The rest of each key stays random and long enough to be unguessable; what
//! the prefix tells (the day or second of filing) is shown anyway wherever the key is
//! seen (the receipt, the private page, Open311's `requested_datetime`, a mail's date).

use rand::Rng;

use super::publication::{PUBLIC_ID_ALPHABET as CROCKFORD, PUBLIC_ID_LEN};
use super::tracking_code::TrackingCode;

/// The URL-safe base64 characters in byte order: a time written with them sorts as the
/// time does (in a `C` collation, the database's own).
const SORTED_BASE64URL: &[u8; 64] =
    b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// Characters given to the time: 35 bits of seconds in Crockford base32 (until the year
/// 3058), 42 in base64.
const TIME_DIGITS: usize = 7;

/// Length of the random part of a `Message-ID` (as when it was 130 random bits).
const MESSAGE_KEY_LEN: usize = 26;

/// Length of a private link's token (as when it was 256 random bits in base64).
const TOKEN_LEN: usize = 43;

/// The keys of a new PAKN received at `unix_secs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketKeys {
    /// Its day first ([`TrackingCode::generate_on`]).
    pub code: TrackingCode,
    /// 16 lower-case Crockford symbols, 7 of the second and 9 random (45 bits: two
    /// filings of one second share a public id about once in 3.5 × 10^13 pairs, and the
    /// filing draws again if they do).
    pub public_id: String,
    /// 43 URL-safe base64 characters, 7 of the second and 36 random (216 bits).
    pub access_token: String,
}

impl TicketKeys {
    /// Fresh keys for a PAKN received at `unix_secs`.
    pub fn draw<R: Rng + ?Sized>(unix_secs: i64, rng: &mut R) -> TicketKeys {
        TicketKeys {
            code: TrackingCode::generate_on(unix_secs.div_euclid(86_400), rng),
            public_id: time_first(unix_secs, CROCKFORD, PUBLIC_ID_LEN, rng),
            access_token: access_token(unix_secs, rng),
        }
    }
}

/// `len` characters of `alphabet` made at `unix_secs`: the seconds since 1970 (0 before)
/// in the first [`TIME_DIGITS`], most significant first, then random ones.
fn time_first<R: Rng + ?Sized>(unix_secs: i64, alphabet: &[u8], len: usize, rng: &mut R) -> String {
    let base = alphabet.len() as u64;
    let secs = u64::try_from(unix_secs).unwrap_or(0);
    let time = (0..TIME_DIGITS)
        .rev()
        .map(move |i| alphabet[((secs / base.pow(i as u32)) % base) as usize]);
    let random = (TIME_DIGITS..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]);
    time.chain(random).map(char::from).collect()
}

/// A private link's token made at `unix_secs` (a new one at filing, or when the link is
/// renewed): see [`TicketKeys::access_token`].
pub fn access_token<R: Rng + ?Sized>(unix_secs: i64, rng: &mut R) -> String {
    time_first(unix_secs, SORTED_BASE64URL, TOKEN_LEN, rng)
}

/// The random part of a mail's `Message-ID` made at `unix_secs`
/// ([`crate::mail::outbox::new_message_key`]): 26 lower-case Crockford symbols, 7 of the
/// time and 19 random (95 bits: a reply's `In-Reply-To` finds its item by it, so it
/// must not be guessed). Each filing queues two to four mails, and the outbox's unique
/// index on these was the filing's largest source of full-page images.
pub fn message_key<R: Rng + ?Sized>(unix_secs: i64, rng: &mut R) -> String {
    time_first(unix_secs, CROCKFORD, MESSAGE_KEY_LEN, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::publication::is_public_id;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const T: i64 = 1_796_000_000;

    fn public_id(unix_secs: i64, rng: &mut StdRng) -> String {
        TicketKeys::draw(unix_secs, rng).public_id
    }

    /// Two keys of one second and one of the next: their length and alphabet, a random
    /// part that differs, and the order of their times. Returns the first and the later.
    fn check_shape_and_order(
        make: fn(i64, &mut StdRng) -> String,
        seed: u64,
        len: usize,
        alphabet: &[u8],
    ) -> (String, String) {
        let mut rng = StdRng::seed_from_u64(seed);
        let a = make(T, &mut rng);
        let b = make(T, &mut rng);
        let later = make(T + 1, &mut rng);
        for k in [&a, &b, &later] {
            assert_eq!(k.len(), len);
            assert!(k.bytes().all(|c| alphabet.contains(&c)), "{k}");
        }
        assert_ne!(
            a[TIME_DIGITS..],
            b[TIME_DIGITS..],
            "the random part differs"
        );
        assert_eq!(a[..TIME_DIGITS], b[..TIME_DIGITS]);
        assert!(a < later && b < later, "{a} {b} {later}");
        (a, later)
    }

    #[test]
    fn alphabets_are_in_byte_order() {
        assert!(CROCKFORD.windows(2).all(|w| w[0] < w[1]));
        assert!(SORTED_BASE64URL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn public_ids_keep_their_shape_and_sort_by_time() {
        let (a, later) = check_shape_and_order(public_id, 1, PUBLIC_ID_LEN, CROCKFORD);
        assert!(is_public_id(&a) && is_public_id(&later));
        let mut rng = StdRng::seed_from_u64(1);
        assert!(public_id(T + 86_400 * 365, &mut rng) > later);
    }

    #[test]
    fn message_keys_keep_their_shape_and_sort_by_time() {
        check_shape_and_order(message_key, 4, MESSAGE_KEY_LEN, CROCKFORD);
    }

    #[test]
    fn tokens_keep_their_shape_and_sort_by_time() {
        let (_, later) = check_shape_and_order(access_token, 2, TOKEN_LEN, SORTED_BASE64URL);
        let mut rng = StdRng::seed_from_u64(2);
        assert!(access_token(T + 1_000_000, &mut rng) > later);
    }

    #[test]
    fn a_ticket_s_code_begins_with_its_day() {
        let mut rng = StdRng::seed_from_u64(5);
        let keys = TicketKeys::draw(T, &mut rng);
        let same_day = TicketKeys::draw(T + 60, &mut rng);
        assert_eq!(keys.code.as_str()[..2], same_day.code.as_str()[..2]);
        assert_ne!(keys.code, same_day.code);
    }

    #[test]
    fn a_time_before_1970_is_the_smallest_prefix() {
        let mut rng = StdRng::seed_from_u64(3);
        assert!(access_token(-5, &mut rng).starts_with("-------"));
        assert!(public_id(-5, &mut rng).starts_with("0000000"));
    }
}
