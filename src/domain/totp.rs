//! The staff's second factor, its pure parts: time-based one-time codes (RFC 6238: 6
//! digits, 30-second steps, HMAC-SHA-1, as every authenticator app reads them), the
//! `otpauth://` address a QR code carries, and recovery codes.
//!
//! A code is accepted in the current step or one step either side (clocks drift), and
//! [`matching_step`] says which step it matched so the caller can refuse a code whose
//! step was already used. Recovery codes are 10 Crockford base32 symbols (50 random
//! bits), shown `XXXXX-XXXXX` and read back as forgivingly as tracking codes.

use rand::Rng;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

use super::tracking_code::ALPHABET;

/// Digits of a code.
pub const DIGITS: usize = 6;
/// Seconds of one step.
pub const STEP_SECS: u64 = 30;
/// Bytes of a secret (160 bits, RFC 4226's recommendation).
pub const SECRET_LEN: usize = 20;
/// Recovery codes given at a time.
pub const RECOVERY_CODES: usize = 10;
/// Symbols of a recovery code.
pub const RECOVERY_LEN: usize = 10;

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    rand::rng().random::<[u8; SECRET_LEN]>().to_vec()
}

/// The secret as authenticator apps take it typed in: RFC 4648 base32, no padding.
pub fn secret_base32(secret: &[u8]) -> String {
    const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in secret {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(B32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(B32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The base32 secret in groups of four, easier to type.
pub fn secret_grouped(secret: &[u8]) -> String {
    let plain = secret_base32(secret);
    plain
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `otpauth://totp/…` address of Google's key-URI format, which a QR code carries.
pub fn otpauth_url(secret: &[u8], issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent_encode(account),
        secret_base32(secret)
    )
}

fn totp(secret: &[u8]) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP_SECS, secret.to_vec())
}

/// The code of step `step` (unix seconds / 30).
pub fn code_at_step(secret: &[u8], step: u64) -> String {
    totp(secret).generate(step * STEP_SECS)
}

/// The step of unix time `now`.
pub fn step_of(now_unix: u64) -> u64 {
    now_unix / STEP_SECS
}

/// Six digits, spaces ignored ("123 456" as authenticator apps show it); `None` for
/// anything else.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The step whose code `typed` is, among the current one and one either side, compared
/// in constant time; `None` when it is none of them.
pub fn matching_step(secret: &[u8], typed: &str, now_unix: u64) -> Option<u64> {
    let code = normalise_code(typed)?;
    let now = step_of(now_unix);
    let mut found = None;
    for step in [now.saturating_sub(1), now, now + 1] {
        let expected = code_at_step(secret, step);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Fresh recovery codes, in canonical form (no separator).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            (0..RECOVERY_LEN)
                .map(|_| char::from(ALPHABET[rng.random_range(0..32)]))
                .collect()
        })
        .collect()
}

/// A recovery code as shown: `XXXXX-XXXXX`.
pub fn display_recovery(code: &str) -> String {
    let (a, b) = code.split_at(code.len().min(RECOVERY_LEN / 2));
    format!("{a}-{b}")
}

/// A typed recovery code in canonical form: any case, spaces and hyphens ignored, `O`
/// read as `0` and `I`/`L` as `1`; `None` when it cannot be one.
pub fn normalise_recovery(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == RECOVERY_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, truncated to 6 digits.
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at_step(secret, step_of(time)), code, "{time}");
        }
    }

    #[test]
    fn one_step_either_side_and_no_further() {
        let secret = new_secret();
        let now = 1_800_000_015;
        let step = step_of(now);
        for s in [step - 1, step, step + 1] {
            assert_eq!(
                matching_step(&secret, &code_at_step(&secret, s), now),
                Some(s)
            );
        }
        for s in [step - 2, step + 2] {
            let code = code_at_step(&secret, s);
            let near = [step - 1, step, step + 1].map(|n| code_at_step(&secret, n));
            if !near.contains(&code) {
                assert_eq!(matching_step(&secret, &code, now), None);
            }
        }
        let spaced = code_at_step(&secret, step);
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert_eq!(matching_step(&secret, &spaced, now), Some(step));
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn base32_and_the_otpauth_address() {
        assert_eq!(
            secret_base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(secret_grouped(b"12345"), "GEZD GNBV");
        let url = otpauth_url(b"12345678901234567890", "PAKN Sở Nội vụ", "a.b@sonoivu.vn");
        assert!(url.starts_with("otpauth://totp/PAKN%20S%E1%BB%9F%20N%E1%BB%99i%20v%E1%BB%A5:a.b%40sonoivu.vn?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"), "{url}");
        assert!(url.ends_with("&algorithm=SHA1&digits=6&period=30"));
    }

    #[test]
    fn recovery_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for c in &codes {
            assert_eq!(normalise_recovery(c).as_deref(), Some(c.as_str()));
            let shown = display_recovery(c);
            assert_eq!(shown.len(), RECOVERY_LEN + 1);
            assert_eq!(
                normalise_recovery(&shown.to_lowercase()).as_deref(),
                Some(c.as_str())
            );
        }
        assert_eq!(
            normalise_recovery("o1il0-abcde").as_deref(),
            Some("0111 0ABCDE".replace(' ', "").as_str())
        );
        assert_eq!(normalise_recovery("UUUUU-UUUUU"), None);
        assert_eq!(normalise_recovery("12345"), None);
    }
}
