//! Argon2id password hashing behind a semaphore of a few permits (each hash takes about
//! 19 MiB and tens of milliseconds of CPU), run off the async threads. Unknown users cost
//! the same work as known ones, so timing does not tell who has an account.

use std::sync::{Arc, LazyLock};

use anyhow::Context;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// At most this many hashes at once per instance.
const PERMITS: usize = 4;

static HASHING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(PERMITS)));

/// A hash of a random password, verified against when the user is unknown.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"pakn-dummy-password-for-unknown-users")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

pub const MIN_LENGTH: usize = 10;

/// Hashes a new password.
pub async fn hash(password: &str) -> anyhow::Result<String> {
    let _permit = HASHING
        .acquire()
        .await
        .context("hashing semaphore closed")?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
    })
    .await
    .context("the hashing task failed")?
}

/// Checks a password against a stored hash, or against a dummy hash when `stored` is
/// `None`, so both paths take the same time. Returns whether it matched.
pub async fn verify(password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let _permit = HASHING
        .acquire()
        .await
        .context("hashing semaphore closed")?;
    let password = password.to_string();
    let (hash, real) = match stored {
        Some(h) => (h.to_string(), true),
        None => (DUMMY_HASH.clone(), false),
    };
    tokio::task::spawn_blocking(move || {
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        ok && real
    })
    .await
    .context("the verifying task failed")
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakPassword {
    TooShort,
    IsEmail,
}

pub fn check_strength(password: &str, email: &str) -> Result<(), WeakPassword> {
    if password.chars().count() < MIN_LENGTH {
        return Err(WeakPassword::TooShort);
    }
    let lower = password.to_lowercase();
    let email = email.to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if lower == email || (!local.is_empty() && lower == local) {
        return Err(WeakPassword::IsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("mật khẩu đủ dài 2026").await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("mật khẩu đủ dài 2026", Some(&h))
                .await
                .expect("verify")
        );
        assert!(!verify("sai mật khẩu", Some(&h)).await.expect("verify"));
        assert!(!verify("mật khẩu đủ dài 2026", None).await.expect("verify"));
    }

    #[test]
    fn strength() {
        assert_eq!(
            check_strength("short", "a@b.vn"),
            Err(WeakPassword::TooShort)
        );
        assert_eq!(
            check_strength("canbo.a@sonoivu.vn", "canbo.a@sonoivu.vn"),
            Err(WeakPassword::IsEmail)
        );
        assert!(check_strength("một câu đủ dài", "a@b.vn").is_ok());
    }
}
