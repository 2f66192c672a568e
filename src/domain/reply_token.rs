//! Reply addresses: every outgoing mail of a PAKN carries `Reply-To:
//! <local>+<token>@<domain>`, where the token names the PAKN and the audience the mail
//! was for (the citizen or staff), signed with a key derived from the instance secret.
//! A reply is attached to the PAKN its token names only when the token verifies: a
//! forged, altered or cut token names nothing.
//!
//! The token is lower-case base32 (mail systems may fold the case of a local part):
//! a version byte, the audience, the ticket id (8 bytes) and an 80-bit tag, 32
//! characters in all, so the whole local part stays well under RFC 5321's 64.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;
const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 10;
const TAG_LEN: usize = 10;
/// Lower-case base32 without the letters easily misread (i, l, o, u).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Whom a mail of a PAKN was for, and so what a reply to it may become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The citizen who filed it: a reply is the citizen's message.
    Citizen,
    /// Staff: a reply from a staff account's address is an internal note.
    Staff,
}

impl Audience {
    fn byte(self) -> u8 {
        match self {
            Audience::Citizen => b'c',
            Audience::Staff => b's',
        }
    }

    fn from_byte(b: u8) -> Option<Audience> {
        match b {
            b'c' => Some(Audience::Citizen),
            b's' => Some(Audience::Staff),
            _ => None,
        }
    }
}

/// What a verified token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyTarget {
    pub ticket_id: i64,
    pub audience: Audience,
}

/// Signs and checks reply tokens under a key derived from the shared secret.
#[derive(Clone)]
pub struct ReplyKey([u8; 32]);

impl std::fmt::Debug for ReplyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyKey")
    }
}

impl ReplyKey {
    pub fn new(secret: &[u8]) -> ReplyKey {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"pakn-reply-to");
        ReplyKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(payload);
        mac
    }

    /// The token naming `target`.
    pub fn token(&self, target: ReplyTarget) -> String {
        let mut bytes = Vec::with_capacity(PAYLOAD_LEN + TAG_LEN);
        bytes.push(VERSION);
        bytes.push(target.audience.byte());
        bytes.extend_from_slice(&target.ticket_id.to_be_bytes());
        let tag = self.mac(&bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..TAG_LEN]);
        encode(&bytes)
    }

    /// What `token` names; `None` for anything forged, altered or cut.
    pub fn verify(&self, token: &str) -> Option<ReplyTarget> {
        if token.len() != 32 {
            return None;
        }
        let bytes = decode(token)?;
        if bytes.len() != PAYLOAD_LEN + TAG_LEN || bytes[0] != VERSION {
            return None;
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        self.mac(payload).verify_truncated_left(tag).ok()?;
        let audience = Audience::from_byte(payload[1])?;
        let id: [u8; 8] = payload[2..].try_into().ok()?;
        Some(ReplyTarget {
            ticket_id: i64::from_be_bytes(id),
            audience,
        })
    }
}

/// The reply address and intake address of an instance: `<local>+<token>@<domain>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyAddresses {
    pub local: String,
    pub domain: String,
}

impl ReplyAddresses {
    pub fn new(local: &str, domain: &str) -> ReplyAddresses {
        ReplyAddresses {
            local: local.trim().to_ascii_lowercase(),
            domain: domain.trim().to_ascii_lowercase(),
        }
    }

    /// The reply address carrying `token`.
    pub fn address(&self, token: &str) -> String {
        format!("{}+{token}@{}", self.local, self.domain)
    }

    /// The token of `address` when it is one of ours (`<local>+<token>@<domain>`, any
    /// case); `None` for any other address.
    pub fn token_of<'a>(&self, address: &'a str) -> Option<&'a str> {
        let (local, domain) = address.rsplit_once('@')?;
        if !domain.eq_ignore_ascii_case(&self.domain) {
            return None;
        }
        let (base, token) = local.split_once('+')?;
        base.eq_ignore_ascii_case(&self.local).then_some(token)
    }
}

fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let c = c.to_ascii_lowercase();
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(id: i64, audience: Audience) -> ReplyTarget {
        ReplyTarget {
            ticket_id: id,
            audience,
        }
    }

    #[test]
    fn round_trip_and_case() {
        let key = ReplyKey::new(b"secret");
        for t in [
            target(1, Audience::Citizen),
            target(9_876_543_210, Audience::Staff),
        ] {
            let token = key.token(t);
            assert_eq!(token.len(), 32);
            assert_eq!(key.verify(&token), Some(t));
            assert_eq!(key.verify(&token.to_ascii_uppercase()), Some(t));
        }
    }

    #[test]
    fn forged_altered_or_cut_tokens_name_nothing() {
        let key = ReplyKey::new(b"secret");
        let token = key.token(target(42, Audience::Citizen));
        assert_eq!(ReplyKey::new(b"other").verify(&token), None);
        for i in 0..token.len() {
            let mut t = token.clone().into_bytes();
            t[i] = if t[i] == b'0' { b'1' } else { b'0' };
            let altered = String::from_utf8(t).expect("ascii");
            assert_eq!(key.verify(&altered), None, "altered at {i}");
        }
        assert_eq!(key.verify(&token[..31]), None);
        assert_eq!(key.verify(""), None);
        assert_eq!(key.verify("ilou0000000000000000000000000000"), None);
        // Another audience of the same PAKN cannot be made from a token.
        let staff = key.token(target(42, Audience::Staff));
        assert_ne!(staff, token);
    }

    #[test]
    fn addresses() {
        let a = ReplyAddresses::new("pakn", "So.Example.gov.vn");
        let addr = a.address("abc");
        assert_eq!(addr, "pakn+abc@so.example.gov.vn");
        assert_eq!(a.token_of("PAKN+abc@SO.example.gov.vn"), Some("abc"));
        assert_eq!(a.token_of("pakn@so.example.gov.vn"), None);
        assert_eq!(a.token_of("other+abc@so.example.gov.vn"), None);
        assert_eq!(a.token_of("pakn+abc@example.com"), None);
    }
}
