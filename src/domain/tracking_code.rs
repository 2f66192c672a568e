//! The tracking code (mã PAKN) a citizen receives after filing: 10 Crockford
//! base32 symbols carrying 50 random bits, shown as `XXXX-XXXX-XX`.
//!
//! Parsing is forgiving about how people retype a code: any case, spaces,
//! hyphens, dots and other whitespace are ignored, and the look-alike letters
//! `O`/`o` read as `0` and `I`/`i`/`L`/`l` read as `1`. `U` is not a Crockford
//! symbol and is rejected.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// The Crockford base32 alphabet: digits and uppercase letters without
/// `I`, `L`, `O` and `U`.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of symbols in a tracking code.
pub const LEN: usize = 10;

/// Number of random bits in a tracking code (5 per symbol).
pub const BITS: u32 = 5 * LEN as u32;

/// Bits of a code that [`TrackingCode::generate_on`] gives to the day (two symbols).
pub const DAY_BITS: u32 = 10;

/// A tracking code in canonical form: 10 uppercase Crockford base32 symbols,
/// no separator. Only [`TrackingCode::generate`] and [`TrackingCode::parse`]
/// build one, so every value is valid.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

/// Error for converting an invalid string into a [`TrackingCode`]
/// (used by `TryFrom<String>` and serde).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidTrackingCode;

impl fmt::Display for InvalidTrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid tracking code")
    }
}

impl std::error::Error for InvalidTrackingCode {}

impl TrackingCode {
    /// Draws a fresh random code (50 uniformly random bits).
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> TrackingCode {
        // Keep the top 50 of 64 random bits.
        TrackingCode::from_bits(rng.next_u64() >> (64 - BITS))
    }

    /// Draws a fresh code for a PAKN received on `day` (days since 1970-01-01): its first
    /// two symbols are the day modulo 1024 ([`DAY_BITS`]), the other 40 bits random.
    ///
    /// The codes of one day then sit side by side in the `tickets` index on codes. Fully
    /// random, every filing wrote its code into a random page of an index larger than
    /// Postgres's buffers: a page read and, after each checkpoint, a full-page image in
    /// the WAL (a third of a filing's, bench/results.md, issue 21). The code is a
    /// reference, not a secret (design.md); what the two symbols tell is the day of
    /// filing, printed next to it on the receipt. Two codes of one day coincide about
    /// once in 10^12 pairs, and the filing draws again if they do.
    pub fn generate_on<R: Rng + ?Sized>(day: i64, rng: &mut R) -> TrackingCode {
        let random_bits = BITS - DAY_BITS;
        let prefix = day.rem_euclid(1 << DAY_BITS) as u64;
        let random = rng.next_u64() >> (64 - random_bits);
        TrackingCode::from_bits((prefix << random_bits) | random)
    }

    /// The code of the low [`BITS`] bits of `bits`, most significant symbol first.
    fn from_bits(bits: u64) -> TrackingCode {
        let code = (0..LEN)
            .rev()
            .map(|i| {
                let index = ((bits >> (5 * i)) & 0x1f) as usize;
                char::from(ALPHABET[index])
            })
            .collect();
        TrackingCode(code)
    }

    /// Draws codes until `taken` reports one as free, trying at most
    /// `max_tries` times. Returns `None` when every try collided.
    pub fn generate_unique<R, F>(
        rng: &mut R,
        mut taken: F,
        max_tries: usize,
    ) -> Option<TrackingCode>
    where
        R: Rng + ?Sized,
        F: FnMut(&TrackingCode) -> bool,
    {
        (0..max_tries)
            .map(|_| TrackingCode::generate(rng))
            .find(|code| !taken(code))
    }

    /// Parses a code as typed by a person. See the module docs for what is
    /// tolerated. Returns `None` unless exactly 10 valid symbols remain.
    pub fn parse(input: &str) -> Option<TrackingCode> {
        let mut code = String::with_capacity(LEN);
        for c in input.chars() {
            if is_ignored(c) {
                continue;
            }
            if code.len() == LEN {
                return None;
            }
            code.push(symbol(c)?);
        }
        (code.len() == LEN).then_some(TrackingCode(code))
    }

    /// The canonical form: 10 uppercase symbols without separator.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown to people, `XXXX-XXXX-XX` (same as `Display`).
    pub fn display(&self) -> String {
        self.to_string()
    }
}

/// Same as [`TrackingCode::generate`].
pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> TrackingCode {
    TrackingCode::generate(rng)
}

/// Same as [`TrackingCode::generate_unique`].
pub fn generate_unique<R, F>(rng: &mut R, taken: F, max_tries: usize) -> Option<TrackingCode>
where
    R: Rng + ?Sized,
    F: FnMut(&TrackingCode) -> bool,
{
    TrackingCode::generate_unique(rng, taken, max_tries)
}

/// Same as [`TrackingCode::parse`].
pub fn parse(input: &str) -> Option<TrackingCode> {
    TrackingCode::parse(input)
}

/// Characters people put between symbols: whitespace (including NBSP),
/// zero-width spaces, dots and the various hyphens and dashes.
fn is_ignored(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '.'
                | '\u{200B}' // zero-width space
                | '\u{FEFF}' // zero-width no-break space / BOM
                | '\u{2010}'
                ..='\u{2015}' // hyphen, non-breaking hyphen, dashes
                | '\u{2212}' // minus sign
        )
}

/// Maps one typed character to its canonical symbol.
fn symbol(c: char) -> Option<char> {
    let upper = c.to_ascii_uppercase();
    match upper {
        'O' => Some('0'),
        'I' | 'L' => Some('1'),
        _ if upper.is_ascii() && ALPHABET.contains(&(upper as u8)) => Some(upper),
        _ => None,
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        write!(f, "{}-{}-{}", &s[..4], &s[4..8], &s[8..])
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = InvalidTrackingCode;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        TrackingCode::parse(&value).ok_or(InvalidTrackingCode)
    }
}

impl From<TrackingCode> for String {
    fn from(code: TrackingCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::collections::HashSet;

    fn is_canonical(s: &str) -> bool {
        s.len() == LEN && s.bytes().all(|b| ALPHABET.contains(&b))
    }

    #[test]
    fn round_trip_canonical_and_display() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..1000 {
            let code = TrackingCode::generate(&mut rng);
            assert!(is_canonical(code.as_str()), "{code:?}");
            assert_eq!(TrackingCode::parse(code.as_str()), Some(code.clone()));
            assert_eq!(TrackingCode::parse(&code.to_string()), Some(code.clone()));
            assert_eq!(TrackingCode::parse(&code.display()), Some(code.clone()));
        }
    }

    #[test]
    fn display_groups_four_four_two() {
        let code = TrackingCode::parse("ABCD1234XY").unwrap();
        assert_eq!(code.as_str(), "ABCD1234XY");
        assert_eq!(code.to_string(), "ABCD-1234-XY");
        assert_eq!(code.display(), "ABCD-1234-XY");
    }

    #[test]
    fn accepts_lowercase() {
        let code = TrackingCode::parse("abcd-1234-xy").unwrap();
        assert_eq!(code.as_str(), "ABCD1234XY");
    }

    #[test]
    fn ignores_spaces_dots_hyphens_and_other_whitespace() {
        let expected = TrackingCode::parse("ABCD1234XY").unwrap();
        for input in [
            "ABCD 1234 XY",
            "  abcd1234xy  ",
            "AB.CD.12.34.XY",
            "ABCD-1234-XY",
            "ABCD\u{00A0}1234\u{00A0}XY",
            "ABCD\t1234\nXY",
            "ABCD\u{2013}1234\u{2014}XY",
            "\u{FEFF}ABCD\u{200B}1234XY",
            "A-B C.D 1 2 3 4 X Y",
        ] {
            assert_eq!(
                TrackingCode::parse(input).as_ref(),
                Some(&expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn letter_o_reads_as_zero() {
        let code = TrackingCode::parse("O0oO-0000-00").unwrap();
        assert_eq!(code.as_str(), "0000000000");
    }

    #[test]
    fn letters_i_and_l_read_as_one() {
        let code = TrackingCode::parse("IiLl-1111-11").unwrap();
        assert_eq!(code.as_str(), "1111111111");
    }

    #[test]
    fn rejects_u_and_other_symbols() {
        assert_eq!(TrackingCode::parse("ABCD-1234-XU"), None);
        assert_eq!(TrackingCode::parse("abcd-1234-xu"), None);
        assert_eq!(TrackingCode::parse("ABCD_1234_XY"), None);
        assert_eq!(TrackingCode::parse("ABCD/1234/XY"), None);
        assert_eq!(TrackingCode::parse("ÀBCD-1234-XY"), None);
        assert_eq!(TrackingCode::parse("ABCD-1234-X*"), None);
        // Full-width digits are not accepted.
        assert_eq!(TrackingCode::parse("ABCD-１２３４-XY"), None);
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(TrackingCode::parse(""), None);
        assert_eq!(TrackingCode::parse("   - . "), None);
        assert_eq!(TrackingCode::parse("ABCD-1234-X"), None);
        assert_eq!(TrackingCode::parse("ABCD-1234-XYZ"), None);
        assert_eq!(TrackingCode::parse(&"A".repeat(10_000)), None);
    }

    #[test]
    fn codes_of_one_day_share_their_first_two_symbols() {
        let mut rng = StdRng::seed_from_u64(11);
        let day = 20_790; // 2026-12-03
        let a = TrackingCode::generate_on(day, &mut rng);
        let b = TrackingCode::generate_on(day, &mut rng);
        let next = TrackingCode::generate_on(day + 1, &mut rng);
        assert_ne!(a, b);
        assert_eq!(a.as_str()[..2], b.as_str()[..2]);
        assert_ne!(a.as_str()[..2], next.as_str()[..2]);
        assert!(a.as_str() < next.as_str() && b.as_str() < next.as_str());
        // The day counts modulo 1024: the prefix comes back after 1024 days.
        let later = TrackingCode::generate_on(day + 1024, &mut rng);
        assert_eq!(a.as_str()[..2], later.as_str()[..2]);
        for code in [&a, &b, &next, &later] {
            assert_eq!(TrackingCode::parse(code.as_str()).as_ref(), Some(code));
        }
        // A day before 1970 still makes a valid code.
        let old = TrackingCode::generate_on(-3, &mut rng);
        assert_eq!(TrackingCode::parse(old.as_str()), Some(old));
    }

    #[test]
    fn generate_unique_retries_on_collision() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen = Vec::new();
        let code = TrackingCode::generate_unique(
            &mut rng,
            |c| {
                seen.push(c.clone());
                seen.len() <= 2
            },
            5,
        )
        .unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(code, seen[2]);
        assert_ne!(seen[0], seen[1]);

        // The same seed replays the same three draws.
        let mut replay = StdRng::seed_from_u64(7);
        let draws: Vec<_> = (0..3)
            .map(|_| TrackingCode::generate(&mut replay))
            .collect();
        assert_eq!(draws, seen);
    }

    #[test]
    fn generate_unique_gives_up_after_max_tries() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut calls = 0;
        let result = generate_unique(
            &mut rng,
            |_| {
                calls += 1;
                true
            },
            4,
        );
        assert_eq!(result, None);
        assert_eq!(calls, 4);
        assert_eq!(generate_unique(&mut rng, |_| false, 0), None);
    }

    #[test]
    fn million_codes_are_valid_without_collisions() {
        let mut rng = StdRng::seed_from_u64(0x5041_4b4e);
        let mut set = HashSet::with_capacity(100_000);
        let mut first_symbols = HashSet::new();
        let mut last_symbols = HashSet::new();
        for i in 0..1_000_000 {
            let code = generate(&mut rng);
            assert!(is_canonical(code.as_str()), "{code:?}");
            first_symbols.insert(code.as_str().as_bytes()[0]);
            last_symbols.insert(code.as_str().as_bytes()[LEN - 1]);
            if i < 100_000 {
                assert!(set.insert(code), "collision among the first 100k codes");
            }
        }
        // Every position draws from the whole alphabet.
        assert_eq!(first_symbols.len(), 32);
        assert_eq!(last_symbols.len(), 32);
    }

    #[test]
    fn works_with_thread_rng_and_dyn_rng() {
        let mut rng = rand::rng();
        let code = generate(&mut rng);
        assert!(is_canonical(code.as_str()));
        let dyn_rng: &mut dyn rand::RngCore = &mut rng;
        let code = TrackingCode::generate(dyn_rng);
        assert!(is_canonical(code.as_str()));
    }

    #[test]
    fn serde_uses_canonical_string_and_validates() {
        let code = parse("abcd 1234 xy").unwrap();
        let s: String = code.clone().into();
        assert_eq!(s, "ABCD1234XY");
        assert_eq!(TrackingCode::try_from("abcd-1234-xy".to_string()), Ok(code));
        assert_eq!(
            TrackingCode::try_from("nope".to_string()),
            Err(InvalidTrackingCode)
        );

        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StringDeserializer};
        let de: StringDeserializer<Error> = "abcd.1234.xy".to_string().into_deserializer();
        assert_eq!(
            TrackingCode::deserialize(de).unwrap().as_str(),
            "ABCD1234XY"
        );
        let de: StringDeserializer<Error> = "ABCD-1234-XU".to_string().into_deserializer();
        assert!(TrackingCode::deserialize(de).is_err());
    }
}
