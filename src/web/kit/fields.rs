//! Staff forms are `application/x-www-form-urlencoded`; [`Fields`] reads them keeping
//! repeated names (checkboxes such as `roles`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(
            url::form_urlencoded::parse(body)
                .take(super::upload::MAX_FORM_FIELDS)
                .map(|(k, v)| (without_nul(&k), without_nul(&v)))
                .collect(),
        )
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Fields::parse(&body))
    }
}

/// A typed value without NUL characters: they mean nothing in a form, and Postgres
/// refuses them in text (a NUL in the login email or the privacy form was a 500;
/// security review, finding 14).
pub fn without_nul(s: &str) -> String {
    s.replace('\0', "")
}

#[cfg(test)]
mod tests {
    use super::Fields;

    #[test]
    fn nul_characters_are_dropped() {
        let f = Fields::parse(b"email=a%00b%40x.vn&name=A%00B");
        assert_eq!(f.get("email"), "ab@x.vn");
        assert_eq!(f.get("name"), "AB");
    }

    #[test]
    fn repeated_names_and_decoding() {
        let f = Fields::parse(b"roles=admin&roles=officer&name=Nguy%E1%BB%85n+A&x=");
        assert_eq!(f.all("roles"), ["admin", "officer"]);
        assert_eq!(f.get("name"), "Nguyễn A");
        assert_eq!(f.get("x"), "");
        assert_eq!(f.get("missing"), "");
    }
}
