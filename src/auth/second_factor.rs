//! The keys of the second factor, derived from `[security] secret`: the TOTP secrets are
//! stored encrypted (ChaCha20-Poly1305, a random nonce each, the user id as associated
//! data so a row copied to another user does not open), and recovery codes as
//! HMAC-SHA-256 of the user's salt and the code. Recovery codes carry 50 random bits,
//! so a keyed fast hash is enough (argon2 would cost ~19 MiB and tens of milliseconds
//! for each of ten codes at every try) and lets a code be found, and spent, with one
//! `UPDATE`. A dump of the database alone opens neither, unless `[security] secret`
//! was left empty and generated into the same database. Never logged.

use anyhow::{Context, anyhow};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of a nonce.
const NONCE_LEN: usize = 12;

/// The two keys, derived once from the shared secret.
#[derive(Clone)]
pub struct SecondFactorKeys {
    seal: [u8; 32],
    recovery: [u8; 32],
}

impl std::fmt::Debug for SecondFactorKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecondFactorKeys")
    }
}

fn derive(secret: &[u8], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl SecondFactorKeys {
    pub fn new(secret: &[u8]) -> SecondFactorKeys {
        SecondFactorKeys {
            seal: derive(secret, b"pakn-second-factor|seal"),
            recovery: derive(secret, b"pakn-second-factor|recovery"),
        }
    }

    /// The TOTP secret of `user_id`, encrypted: nonce, then ciphertext and tag.
    pub fn seal(&self, user_id: i32, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.seal));
        let nonce: [u8; NONCE_LEN] = rand::random();
        let aad = user_id.to_be_bytes();
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| anyhow!("encrypting a second-factor secret"))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// Opens what [`Self::seal`] made for the same user.
    pub fn open(&self, user_id: i32, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        let (nonce, body) = sealed
            .split_at_checked(NONCE_LEN)
            .context("a stored second-factor secret is too short")?;
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.seal));
        let aad = user_id.to_be_bytes();
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| {
                anyhow!(
                    "a stored second-factor secret does not open: was [security] secret changed?"
                )
            })
    }

    /// The stored form of a recovery code (canonical form) of the user with `salt`.
    pub fn recovery_hash(&self, salt: &[u8], code: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.recovery)
            .expect("HMAC takes any key length");
        mac.update(&(salt.len() as u32).to_be_bytes());
        mac.update(salt);
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// A fresh random salt for a user's recovery codes.
pub fn new_salt() -> Vec<u8> {
    rand::random::<[u8; 16]>().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_for_their_user_only() {
        let keys = SecondFactorKeys::new(b"a shared secret of enough length!!");
        let sealed = keys.seal(7, b"12345678901234567890").expect("seal");
        assert!(!sealed.windows(20).any(|w| w == b"12345678901234567890"));
        assert_eq!(
            keys.open(7, &sealed).expect("open"),
            b"12345678901234567890"
        );
        assert!(keys.open(8, &sealed).is_err(), "another user's row");
        let other = SecondFactorKeys::new(b"another shared secret, long enough");
        assert!(other.open(7, &sealed).is_err(), "another key");
        assert_ne!(sealed, keys.seal(7, b"12345678901234567890").expect("seal"));
    }

    #[test]
    fn recovery_hashes_depend_on_salt_and_key() {
        let keys = SecondFactorKeys::new(b"a shared secret of enough length!!");
        let a = keys.recovery_hash(b"salt-a", "0123456789");
        assert_eq!(a, keys.recovery_hash(b"salt-a", "0123456789"));
        assert_ne!(a, keys.recovery_hash(b"salt-b", "0123456789"));
        assert_ne!(a, keys.recovery_hash(b"salt-a", "0123456788"));
        let other = SecondFactorKeys::new(b"another shared secret, long enough");
        assert_ne!(a, other.recovery_hash(b"salt-a", "0123456789"));
    }
}
