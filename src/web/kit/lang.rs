//! The language of a request: `?lang=en|vi` switches (and is remembered in a cookie, not
//! a session); otherwise the cookie, then `Accept-Language`, then Vietnamese.

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;

use crate::i18n::{Lang, Tr};

pub const LANG_COOKIE: &str = "lang";

/// The language of a request, and whether `?lang=` asked to remember a new one.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang {
    pub lang: Lang,
    pub switched: bool,
}

impl RequestLang {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    pub fn from_parts(parts: &Parts) -> RequestLang {
        if let Some(query) = parts.uri.query() {
            for pair in query.split('&') {
                if let Some(v) = pair.strip_prefix("lang=")
                    && let Some(lang) = Lang::parse(v)
                {
                    return RequestLang {
                        lang,
                        switched: true,
                    };
                }
            }
        }
        let from_cookie = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                if k == LANG_COOKIE {
                    Lang::parse(v)
                } else {
                    None
                }
            });
        if let Some(lang) = from_cookie {
            return RequestLang {
                lang,
                switched: false,
            };
        }
        let lang = parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(from_accept_language)
            .unwrap_or_default();
        RequestLang {
            lang,
            switched: false,
        }
    }

    /// The `Set-Cookie` value that remembers a language switched by `?lang=`.
    pub fn set_cookie(&self) -> Option<String> {
        self.switched.then(|| {
            format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                self.lang.code()
            )
        })
    }
}

/// The first of vi/en in the header's preference order (q-values honoured), else vi.
pub fn from_accept_language(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        if let Some(lang) = Lang::parse(primary)
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestLang::from_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_negotiation() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(from_accept_language("vi-VN,vi;q=0.9,en;q=0.8"), Lang::Vi);
        assert_eq!(from_accept_language("fr-FR,en;q=0.5,vi;q=0.7"), Lang::Vi);
        assert_eq!(from_accept_language("de"), Lang::Vi);
        assert_eq!(from_accept_language(""), Lang::Vi);
    }
}
