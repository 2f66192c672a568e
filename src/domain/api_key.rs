//! The keys of API clients (issue 20): `pakn_<id>_<secret>`, the id (12 characters)
//! finding the client and the secret (40 characters, 238 bits) proving it. Only the
//! secret's SHA-256 is stored: a key is shown once, when made, and a stolen database
//! gives no key. (A slow hash is for passwords people choose; a random secret of this
//! length cannot be guessed from its digest.)

use rand::Rng;
use rand::seq::IndexedRandom;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ID_LEN: usize = 12;
const SECRET_LEN: usize = 40;
const PREFIX: &str = "pakn_";

/// A key as made: shown to the admin once, then only its id and digest are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub id: String,
    pub full: String,
    pub digest: Vec<u8>,
}

fn random(rng: &mut impl Rng, len: usize) -> String {
    (0..len)
        .map(|_| *ALPHABET.choose(rng).unwrap_or(&b'A') as char)
        .collect()
}

/// A fresh key.
pub fn generate(rng: &mut impl Rng) -> NewKey {
    let id = random(rng, ID_LEN);
    let secret = random(rng, SECRET_LEN);
    NewKey {
        full: format!("{PREFIX}{id}_{secret}"),
        digest: digest(&secret),
        id,
    }
}

/// The id and secret of a key as given, or `None` when it is not one of ours.
pub fn parse(key: &str) -> Option<(&str, &str)> {
    let rest = key.trim().strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let ours = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| ALPHABET.contains(&b));
    (ours(id, ID_LEN) && ours(secret, SECRET_LEN)).then_some((id, secret))
}

pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Whether `secret` is the one whose digest is `stored` (in constant time).
pub fn verify(secret: &str, stored: &[u8]) -> bool {
    bool::from(digest(secret).ct_eq(stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_parses_back_and_verifies_only_itself() {
        let mut rng = rand::rng();
        let key = generate(&mut rng);
        let (id, secret) = parse(&key.full).expect("ours");
        assert_eq!(id, key.id);
        assert!(verify(secret, &key.digest));
        let other = generate(&mut rng);
        let (_, other_secret) = parse(&other.full).expect("ours");
        assert!(!verify(other_secret, &key.digest));
        assert_ne!(key.full, other.full);
    }

    #[test]
    fn foreign_or_damaged_keys_are_not_parsed() {
        let key = generate(&mut rand::rng()).full;
        assert!(parse(&key[..key.len() - 1]).is_none(), "too short");
        assert!(parse(&key.replace("pakn_", "pakx_")).is_none());
        assert!(parse(&format!("{key}!")).is_none());
        assert!(parse("").is_none());
        assert!(parse("Bearer abc").is_none());
    }
}
