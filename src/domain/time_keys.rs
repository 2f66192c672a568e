//! Random identifiers that begin with the second they were made: a PAKN's public id
//! (Open311's `service_request_id`, its mails' thread), its private link's token and
//! its mails' `Message-ID`s.
//!
//! Each has a unique index (on `tickets`, on `outbox`). Fully random, every filing wrote its key into a
//! random leaf page of an index larger than Postgres's buffers (at 1,000,000 PAKN the
//! tokens' index is 140 MB, the public ids' 80 MB): a page read and, after each
//! checkpoint, a full-page image in the WAL per key (bench/results.md, issue 21). With
//! the time first, in an alphabet whose byte order is the order of its digits, the
//! keys of one moment sit side by side at the index's right end, in pages already in
//! memory. The rest of each key stays random and long enough to be unguessable; what the
//! prefix tells (the second of filing) is shown anyway wherever the key is seen (the
//! private page, Open311's `requested_datetime`, a mail's date).
//!
//! The tracking code stays fully random: citizens type it, and its 10 symbols have no
//! room for a time.

use rand::Rng;

/// Lower-case Crockford base32, in byte order (the public id's alphabet,
/// [`super::publication::is_public_id`]).
const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The URL-safe base64 characters in byte order: a time written with them sorts as the
/// time does (in a `C` collation, the database's own).
const SORTED_BASE64URL: &[u8; 64] =
    b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// Crockford symbols given to the time (35 bits of seconds: until the year 3058).
const CROCKFORD_TIME: usize = 7;

/// Length of the random part of a `Message-ID` (as when it was 130 random bits).
const MESSAGE_KEY_LEN: usize = 26;

/// Characters of the token given to the time (42 bits of seconds).
const TOKEN_TIME: usize = 7;

/// Length of a private link's token (as when it was 256 random bits in base64).
pub const TOKEN_LEN: usize = 43;

/// `value`'s low `digits × log2(alphabet)` bits, most significant first.
fn digits(value: u64, digits: usize, alphabet: &[u8]) -> impl Iterator<Item = char> + '_ {
    let base = alphabet.len() as u64;
    (0..digits).rev().map(move |i| {
        let digit = (value / base.pow(i as u32)) % base;
        char::from(alphabet[digit as usize])
    })
}

/// Seconds since 1970 as the prefix counts them (0 before 1970).
fn seconds(unix_secs: i64) -> u64 {
    u64::try_from(unix_secs).unwrap_or(0)
}

/// `len` lower-case Crockford symbols made at `unix_secs`: 7 of the time, the rest
/// random.
fn crockford<R: Rng + ?Sized>(unix_secs: i64, len: usize, rng: &mut R) -> String {
    digits(seconds(unix_secs), CROCKFORD_TIME, CROCKFORD)
        .chain(
            (CROCKFORD_TIME..len)
                .map(|_| char::from(CROCKFORD[rng.random_range(0..CROCKFORD.len())])),
        )
        .collect()
}

/// A PAKN's public id made at `unix_secs`: 16 lower-case Crockford symbols, 7 of the
/// time and 9 random (45 bits: two filings of one second share a public id about once
/// in 3.5 × 10^13 pairs, and the filing draws again if they do).
pub fn public_id<R: Rng + ?Sized>(unix_secs: i64, rng: &mut R) -> String {
    crockford(unix_secs, super::publication::PUBLIC_ID_LEN, rng)
}

/// The random part of a mail's `Message-ID` made at `unix_secs`
/// ([`crate::mail::outbox::new_message_key`]): 26 lower-case Crockford symbols, 7 of the
/// time and 19 random (95 bits: a reply's `In-Reply-To` finds its item by it, so it
/// must not be guessed). Each filing queues two to four mails, and the outbox's unique
/// index on these was the filing's largest source of full-page images.
pub fn message_key<R: Rng + ?Sized>(unix_secs: i64, rng: &mut R) -> String {
    crockford(unix_secs, MESSAGE_KEY_LEN, rng)
}

/// A private link's token made at `unix_secs`: 43 URL-safe base64 characters, 7 of the
/// time and 36 random (216 bits).
pub fn access_token<R: Rng + ?Sized>(unix_secs: i64, rng: &mut R) -> String {
    digits(seconds(unix_secs), TOKEN_TIME, SORTED_BASE64URL)
        .chain(
            (TOKEN_TIME..TOKEN_LEN)
                .map(|_| char::from(SORTED_BASE64URL[rng.random_range(0..SORTED_BASE64URL.len())])),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::publication::is_public_id;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const T: i64 = 1_796_000_000;

    #[test]
    fn alphabets_are_in_byte_order() {
        assert!(CROCKFORD.windows(2).all(|w| w[0] < w[1]));
        assert!(SORTED_BASE64URL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn public_ids_keep_their_shape_and_sort_by_time() {
        let mut rng = StdRng::seed_from_u64(1);
        let a = public_id(T, &mut rng);
        let b = public_id(T, &mut rng);
        let later = public_id(T + 1, &mut rng);
        assert!(is_public_id(&a) && is_public_id(&b) && is_public_id(&later));
        assert_ne!(a, b, "the random part differs");
        assert_eq!(a[..CROCKFORD_TIME], b[..CROCKFORD_TIME]);
        assert!(a < later && b < later, "{a} {b} {later}");
        assert!(public_id(T + 86_400 * 365, &mut rng) > later);
    }

    #[test]
    fn message_keys_keep_their_shape_and_sort_by_time() {
        let mut rng = StdRng::seed_from_u64(4);
        let a = message_key(T, &mut rng);
        let b = message_key(T, &mut rng);
        let later = message_key(T + 1, &mut rng);
        for k in [&a, &b, &later] {
            assert_eq!(k.len(), MESSAGE_KEY_LEN);
            assert!(k.bytes().all(|c| CROCKFORD.contains(&c)), "{k}");
        }
        assert_ne!(a, b);
        assert!(a < later && b < later, "{a} {b} {later}");
    }

    #[test]
    fn tokens_keep_their_shape_and_sort_by_time() {
        let mut rng = StdRng::seed_from_u64(2);
        let a = access_token(T, &mut rng);
        let b = access_token(T, &mut rng);
        let later = access_token(T + 1, &mut rng);
        for t in [&a, &b, &later] {
            assert_eq!(t.len(), TOKEN_LEN);
            assert!(t.bytes().all(|c| SORTED_BASE64URL.contains(&c)), "{t}");
        }
        assert_ne!(a[TOKEN_TIME..], b[TOKEN_TIME..]);
        assert!(a < later && b < later, "{a} {b} {later}");
        assert!(access_token(T + 1_000_000, &mut rng) > later);
    }

    #[test]
    fn a_time_before_1970_is_the_smallest_prefix() {
        let mut rng = StdRng::seed_from_u64(3);
        assert!(access_token(-5, &mut rng).starts_with("-------"));
        assert!(public_id(-5, &mut rng).starts_with("0000000"));
    }
}
