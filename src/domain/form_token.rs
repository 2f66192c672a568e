//! Stateless signed form tokens: the anti-forgery token of the public forms,
//! which also serves as the idempotency key of a filing (its random nonce)
//! and as the clock for how long a form took to fill in (its issue time).
//!
//! A token is the URL-safe base64 (no padding, so safe in a hidden input or
//! a URL) of 42 bytes:
//!
//! | bytes  | content                                              |
//! |--------|------------------------------------------------------|
//! | 0      | version, `1`                                         |
//! | 1      | form kind ([`FormKind::code`])                       |
//! | 2..10  | issue time, Unix seconds, `i64` big-endian           |
//! | 10..26 | random nonce                                         |
//! | 26..42 | first 16 bytes of HMAC-SHA256(key, bytes 0..26)      |
//!
//! Nothing is stored on the server: [`FormTokenKey::verify`] recomputes the
//! MAC (compared in constant time) and checks form kind and age.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Format version written in byte 0.
pub const VERSION: u8 = 1;

/// How far in the future an issue time may lie (clock skew between servers).
pub const MAX_CLOCK_SKEW_SECS: i64 = 60;

/// Length of a token string in characters.
pub const TOKEN_LEN: usize = 56;

const NONCE_LEN: usize = 16;
const PAYLOAD_LEN: usize = 1 + 1 + 8 + NONCE_LEN;
const TAG_LEN: usize = 16;
const TOKEN_BYTES: usize = PAYLOAD_LEN + TAG_LEN;

/// The form a token was issued for; a token only verifies for its own form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormKind {
    /// Filing a PAKN.
    Feedback,
    /// Looking up a PAKN by tracking code.
    Track,
    /// Staff login.
    Login,
    /// Password reset request.
    Forgot,
    /// Privacy / personal-data request.
    Privacy,
    /// Citizen account form.
    Citizen,
}

impl FormKind {
    /// All kinds, in declaration order.
    pub const ALL: [FormKind; 6] = [
        FormKind::Feedback,
        FormKind::Track,
        FormKind::Login,
        FormKind::Forgot,
        FormKind::Privacy,
        FormKind::Citizen,
    ];

    /// `feedback`, `track`, `login`, `forgot`, `privacy` or `citizen`.
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Feedback => "feedback",
            FormKind::Track => "track",
            FormKind::Login => "login",
            FormKind::Forgot => "forgot",
            FormKind::Privacy => "privacy",
            FormKind::Citizen => "citizen",
        }
    }

    /// The inverse of [`FormKind::as_str`].
    pub fn parse(s: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The byte written into tokens. Fixed forever: changing one would
    /// invalidate tokens in flight.
    pub fn code(self) -> u8 {
        match self {
            FormKind::Feedback => 1,
            FormKind::Track => 2,
            FormKind::Login => 3,
            FormKind::Forgot => 4,
            FormKind::Privacy => 5,
            FormKind::Citizen => 6,
        }
    }

    /// The inverse of [`FormKind::code`].
    pub fn from_code(code: u8) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for FormKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a valid token carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VerifiedToken {
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Seconds from issue to verification; 0 when the issue time is (within
    /// the allowed skew) in the future.
    pub age_secs: i64,
    /// The random nonce, unique per issued form: usable as the idempotency
    /// key of a submission.
    pub nonce: [u8; 16],
}

impl VerifiedToken {
    /// The nonce as 32 lowercase hex digits.
    pub fn nonce_hex(&self) -> String {
        self.nonce.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key of the form's filing (its idempotency key, and where the files chosen on
    /// it wait while the form comes back with an error): the issue time (10 hex digits)
    /// and the nonce. Time first, so that the keys of the forms sent now sit side by
    /// side in the `tickets` index instead of in random pages of it
    /// ([`super::time_keys`]).
    pub fn filing_key(&self) -> String {
        format!("{:010x}{}", self.issued_at.max(0), self.nonce_hex())
    }
}

/// Why a token was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenError {
    /// Not a token of this format (bad length, base64 or version).
    Malformed,
    /// The MAC does not match: forged, altered or from another key.
    BadSignature,
    /// A genuine token issued for another form.
    WrongForm,
    /// A genuine token older than the allowed age.
    Expired { issued_at: i64 },
    /// A genuine token issued more than [`MAX_CLOCK_SKEW_SECS`] in the future.
    FromTheFuture,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed => f.write_str("malformed form token"),
            TokenError::BadSignature => f.write_str("form token signature does not match"),
            TokenError::WrongForm => f.write_str("form token was issued for another form"),
            TokenError::Expired { issued_at } => {
                write!(f, "form token expired (issued at {issued_at})")
            }
            TokenError::FromTheFuture => f.write_str("form token issue time is in the future"),
        }
    }
}

impl std::error::Error for TokenError {}

/// The secret that signs and verifies form tokens.
#[derive(Clone)]
pub struct FormTokenKey(HmacSha256);

impl fmt::Debug for FormTokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FormTokenKey(<redacted>)")
    }
}

impl FormTokenKey {
    /// A key from a secret of any length (use at least 32 random bytes).
    pub fn new(secret: &[u8]) -> Self {
        FormTokenKey(HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length"))
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = self.0.clone();
        mac.update(payload);
        mac
    }

    /// Issues a token for `kind` at `issued_at_unix` with the given nonce.
    pub fn issue(&self, kind: FormKind, issued_at_unix: i64, nonce: [u8; 16]) -> String {
        let mut bytes = [0u8; TOKEN_BYTES];
        bytes[0] = VERSION;
        bytes[1] = kind.code();
        bytes[2..10].copy_from_slice(&issued_at_unix.to_be_bytes());
        bytes[10..PAYLOAD_LEN].copy_from_slice(&nonce);
        let tag = self.mac(&bytes[..PAYLOAD_LEN]).finalize().into_bytes();
        bytes[PAYLOAD_LEN..].copy_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Issues a token for `kind` now, with a fresh random nonce.
    pub fn issue_now(&self, kind: FormKind) -> String {
        self.issue(kind, chrono::Utc::now().timestamp(), rand::random())
    }

    /// Checks a token submitted with form `kind` at `now_unix`, accepting it
    /// up to `max_age_secs` after issue. Surrounding whitespace is ignored.
    ///
    /// Checks run in this order: format ([`TokenError::Malformed`]), MAC
    /// ([`TokenError::BadSignature`]), form ([`TokenError::WrongForm`]), then
    /// time ([`TokenError::FromTheFuture`], [`TokenError::Expired`]).
    pub fn verify(
        &self,
        token: &str,
        kind: FormKind,
        now_unix: i64,
        max_age_secs: i64,
    ) -> Result<VerifiedToken, TokenError> {
        let token = token.trim();
        if token.len() != TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let bytes: [u8; TOKEN_BYTES] = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| TokenError::Malformed)?
            .try_into()
            .map_err(|_| TokenError::Malformed)?;
        if bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        self.mac(&bytes[..PAYLOAD_LEN])
            .verify_truncated_left(&bytes[PAYLOAD_LEN..])
            .map_err(|_| TokenError::BadSignature)?;
        if FormKind::from_code(bytes[1]) != Some(kind) {
            return Err(TokenError::WrongForm);
        }

        let mut issued_at = [0u8; 8];
        issued_at.copy_from_slice(&bytes[2..10]);
        let issued_at = i64::from_be_bytes(issued_at);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[10..PAYLOAD_LEN]);

        if issued_at > now_unix.saturating_add(MAX_CLOCK_SKEW_SECS) {
            return Err(TokenError::FromTheFuture);
        }
        let age_secs = now_unix.saturating_sub(issued_at).max(0);
        if age_secs > max_age_secs {
            return Err(TokenError::Expired { issued_at });
        }
        Ok(VerifiedToken {
            issued_at,
            age_secs,
            nonce,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"an example secret of thirty-two+ bytes";
    const T0: i64 = 1_771_000_000;
    const NONCE: [u8; 16] = *b"0123456789abcdef";
    const DAY: i64 = 86_400;

    fn key() -> FormTokenKey {
        FormTokenKey::new(SECRET)
    }

    fn decode(token: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(token).unwrap()
    }

    #[test]
    fn round_trip() {
        let key = key();
        for kind in FormKind::ALL {
            let token = key.issue(kind, T0, NONCE);
            let verified = key.verify(&token, kind, T0 + 30, DAY).unwrap();
            assert_eq!(
                verified,
                VerifiedToken {
                    issued_at: T0,
                    age_secs: 30,
                    nonce: NONCE,
                }
            );
        }
    }

    #[test]
    fn token_is_url_safe_and_fixed_length() {
        let token = key().issue(FormKind::Feedback, T0, [0xff; 16]);
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{token}"
        );
        let negative = key().issue(FormKind::Feedback, -1, [0xfb; 16]);
        assert_eq!(negative.len(), TOKEN_LEN);
    }

    #[test]
    fn layout_matches_the_documented_format() {
        let token = key().issue(FormKind::Privacy, T0, NONCE);
        let bytes = decode(&token);
        assert_eq!(bytes.len(), 42);
        assert_eq!(bytes[0], 1);
        assert_eq!(bytes[1], FormKind::Privacy.code());
        assert_eq!(bytes[2..10], T0.to_be_bytes());
        assert_eq!(bytes[10..26], NONCE);
        let mut mac = HmacSha256::new_from_slice(SECRET).unwrap();
        mac.update(&bytes[..26]);
        let full = mac.finalize().into_bytes();
        assert_eq!(bytes[26..], full[..16]);
    }

    #[test]
    fn issuing_is_deterministic_in_its_inputs() {
        let key = key();
        let a = key.issue(FormKind::Track, T0, NONCE);
        assert_eq!(a, key.issue(FormKind::Track, T0, NONCE));
        assert_ne!(a, key.issue(FormKind::Track, T0 + 1, NONCE));
        assert_ne!(a, key.issue(FormKind::Track, T0, [7; 16]));
        assert_ne!(a, key.issue(FormKind::Login, T0, NONCE));
    }

    #[test]
    fn tampered_bytes_are_rejected() {
        let key = key();
        let token = key.issue(FormKind::Feedback, T0, NONCE);
        let bytes = decode(&token);
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut altered = bytes.clone();
                altered[i] ^= 1 << bit;
                let altered = URL_SAFE_NO_PAD.encode(&altered);
                let expected = if i == 0 {
                    TokenError::Malformed
                } else {
                    TokenError::BadSignature
                };
                assert_eq!(
                    key.verify(&altered, FormKind::Feedback, T0, DAY),
                    Err(expected),
                    "byte {i} bit {bit}"
                );
            }
        }
    }

    #[test]
    fn tampered_characters_are_rejected() {
        let key = key();
        let token = key.issue(FormKind::Feedback, T0, NONCE);
        for i in 0..token.len() {
            let mut chars: Vec<char> = token.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            assert!(
                key.verify(&altered, FormKind::Feedback, T0, DAY).is_err(),
                "char {i}"
            );
        }
    }

    #[test]
    fn wrong_key_is_a_bad_signature() {
        let token = key().issue(FormKind::Feedback, T0, NONCE);
        let other = FormTokenKey::new(b"another secret");
        assert_eq!(
            other.verify(&token, FormKind::Feedback, T0, DAY),
            Err(TokenError::BadSignature)
        );
        let empty = FormTokenKey::new(b"");
        let token = empty.issue(FormKind::Feedback, T0, NONCE);
        assert!(empty.verify(&token, FormKind::Feedback, T0, DAY).is_ok());
        assert_eq!(
            key().verify(&token, FormKind::Feedback, T0, DAY),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn wrong_form() {
        let key = key();
        for issued in FormKind::ALL {
            let token = key.issue(issued, T0, NONCE);
            for expected in FormKind::ALL {
                let result = key.verify(&token, expected, T0, DAY);
                if issued == expected {
                    assert!(result.is_ok());
                } else {
                    assert_eq!(result, Err(TokenError::WrongForm), "{issued} as {expected}");
                }
            }
        }
    }

    #[test]
    fn unknown_kind_code_with_valid_signature_is_wrong_form() {
        let key = key();
        let mut bytes = [0u8; TOKEN_BYTES];
        bytes[0] = VERSION;
        bytes[1] = 200;
        bytes[2..10].copy_from_slice(&T0.to_be_bytes());
        let tag = key.mac(&bytes[..PAYLOAD_LEN]).finalize().into_bytes();
        bytes[PAYLOAD_LEN..].copy_from_slice(&tag[..TAG_LEN]);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(
            key.verify(&token, FormKind::Feedback, T0, DAY),
            Err(TokenError::WrongForm)
        );
    }

    #[test]
    fn expiry() {
        let key = key();
        let token = key.issue(FormKind::Feedback, T0, NONCE);
        assert_eq!(
            key.verify(&token, FormKind::Feedback, T0 + DAY, DAY)
                .map(|v| v.age_secs),
            Ok(DAY)
        );
        assert_eq!(
            key.verify(&token, FormKind::Feedback, T0 + DAY + 1, DAY),
            Err(TokenError::Expired { issued_at: T0 })
        );
        assert_eq!(
            key.verify(&token, FormKind::Feedback, i64::MAX, DAY),
            Err(TokenError::Expired { issued_at: T0 })
        );
    }

    #[test]
    fn from_the_future() {
        let key = key();
        let token = key.issue(FormKind::Login, T0 + MAX_CLOCK_SKEW_SECS, NONCE);
        let ok = key.verify(&token, FormKind::Login, T0, DAY).unwrap();
        assert_eq!(ok.age_secs, 0);
        assert_eq!(ok.issued_at, T0 + MAX_CLOCK_SKEW_SECS);

        let token = key.issue(FormKind::Login, T0 + MAX_CLOCK_SKEW_SECS + 1, NONCE);
        assert_eq!(
            key.verify(&token, FormKind::Login, T0, DAY),
            Err(TokenError::FromTheFuture)
        );
        let token = key.issue(FormKind::Login, i64::MAX, NONCE);
        assert_eq!(
            key.verify(&token, FormKind::Login, T0, DAY),
            Err(TokenError::FromTheFuture)
        );
        let token = key.issue(FormKind::Login, i64::MIN, NONCE);
        assert_eq!(
            key.verify(&token, FormKind::Login, T0, DAY),
            Err(TokenError::Expired {
                issued_at: i64::MIN
            })
        );
    }

    #[test]
    fn garbage_and_empty_are_malformed() {
        let key = key();
        let valid = key.issue(FormKind::Feedback, T0, NONCE);
        let padded = format!("{valid}==");
        let longer = format!("{valid}A");
        let shorter = &valid[..TOKEN_LEN - 1];
        let standard_alphabet = "+/".repeat(TOKEN_LEN / 2);
        let non_ascii = "é".repeat(TOKEN_LEN / 2);
        let zeros = "A".repeat(TOKEN_LEN);
        for garbage in [
            "",
            "   ",
            "abc",
            "null",
            "!".repeat(TOKEN_LEN).as_str(),
            padded.as_str(),
            longer.as_str(),
            shorter,
            standard_alphabet.as_str(),
            non_ascii.as_str(),
            zeros.as_str(),
        ] {
            assert_eq!(
                key.verify(garbage, FormKind::Feedback, T0, DAY),
                Err(TokenError::Malformed),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn right_version_with_garbage_mac_is_a_bad_signature() {
        let mut bytes = [0x5a_u8; TOKEN_BYTES];
        bytes[0] = VERSION;
        bytes[1] = FormKind::Feedback.code();
        let token = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(
            key().verify(&token, FormKind::Feedback, T0, DAY),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let key = key();
        let token = key.issue(FormKind::Track, T0, NONCE);
        assert!(
            key.verify(&format!(" {token}\n"), FormKind::Track, T0, DAY)
                .is_ok()
        );
    }

    #[test]
    fn issue_now_verifies_now_with_fresh_nonces() {
        let key = key();
        let a = key.issue_now(FormKind::Feedback);
        let b = key.issue_now(FormKind::Feedback);
        assert_ne!(a, b);
        let now = chrono::Utc::now().timestamp();
        let va = key.verify(&a, FormKind::Feedback, now, 60).unwrap();
        let vb = key.verify(&b, FormKind::Feedback, now, 60).unwrap();
        assert!(va.age_secs <= 5);
        assert_ne!(va.nonce, vb.nonce);
    }

    #[test]
    fn kind_codes_and_names() {
        for kind in FormKind::ALL {
            assert_eq!(FormKind::parse(kind.as_str()), Some(kind));
            assert_eq!(FormKind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        let names: Vec<_> = FormKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            ["feedback", "track", "login", "forgot", "privacy", "citizen"]
        );
        assert_eq!(FormKind::parse("Feedback"), None);
        assert_eq!(FormKind::from_code(0), None);
    }

    #[test]
    fn nonce_hex_and_debug_redaction() {
        let v = VerifiedToken {
            issued_at: 0,
            age_secs: 0,
            nonce: [0xab; 16],
        };
        assert_eq!(v.nonce_hex(), "ab".repeat(16));
        assert_eq!(v.filing_key(), format!("0000000000{}", "ab".repeat(16)));
        let later = VerifiedToken {
            issued_at: 1_796_000_000,
            ..v
        };
        assert_eq!(later.filing_key(), format!("006b0cc900{}", "ab".repeat(16)));
        assert!(later.filing_key() > v.filing_key());
        let debug = format!("{:?}", key());
        assert!(!debug.contains("secret"), "{debug}");
        assert_eq!(
            TokenError::Expired { issued_at: 5 }.to_string(),
            "form token expired (issued at 5)"
        );
    }
}
