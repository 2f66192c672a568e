//! Standard Webhooks signatures (www.standardwebhooks.com): `webhook-signature` is
//! `v1,` and the base64 HMAC-SHA256, under the subscription's secret, of
//! `{webhook-id}.{webhook-timestamp}.{body}`. The secret is shown to the receiver as
//! `whsec_` and its base64; pakn never stores it but derives it from `[security] secret`
//! and the subscription's random salt, so a dump of the database alone signs nothing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of a signing secret, and of a salt.
pub const SECRET_LEN: usize = 32;

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Derives subscriptions' secrets from the application's secret.
#[derive(Clone)]
pub struct SigningKeys {
    base: [u8; 32],
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKeys")
    }
}

impl SigningKeys {
    pub fn new(app_secret: &[u8]) -> SigningKeys {
        SigningKeys {
            base: hmac(app_secret, &[b"pakn-webhook|sign"]),
        }
    }

    /// The secret of the subscription whose salt is `salt`.
    pub fn secret(&self, salt: &[u8]) -> [u8; SECRET_LEN] {
        hmac(&self.base, &[salt])
    }
}

/// A fresh random salt.
pub fn new_salt() -> [u8; SECRET_LEN] {
    rand::random()
}

/// The secret as the receiver configures it: `whsec_…`.
pub fn whsec(secret: &[u8]) -> String {
    format!("whsec_{}", STANDARD.encode(secret))
}

/// The `webhook-signature` header's value for one attempt.
pub fn signature(secret: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let ts = timestamp.to_string();
    let mac = hmac(
        secret,
        &[msg_id.as_bytes(), b".", ts.as_bytes(), b".", body],
    );
    format!("v1,{}", STANDARD.encode(mac))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's own example (also what its Python library computes).
    #[test]
    fn the_specifications_example() {
        let secret = STANDARD
            .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .expect("base64");
        assert_eq!(
            signature(
                &secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(whsec(&secret), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }

    #[test]
    fn secrets_differ_by_salt_and_by_application() {
        let a = SigningKeys::new(b"one");
        let b = SigningKeys::new(b"two");
        assert_ne!(a.secret(b"s1"), a.secret(b"s2"));
        assert_ne!(a.secret(b"s1"), b.secret(b"s1"));
        assert_eq!(a.secret(b"s1"), a.secret(b"s1"));
    }
}
