//! The language of a request. Vietnamese for everyone unless English was chosen:
//! `?lang=en|vi` switches (and is remembered in a cookie, not a session); otherwise the
//! cookie; otherwise, for a signed-in staff member, their account's language; otherwise
//! Vietnamese. The browser's `Accept-Language` is never consulted: a phone or computer set
//! to English still gets the Vietnamese site, which is what a provincial service owes
//! its citizens and staff (issue 17, item 2).

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;

use crate::auth::StaffUser;
use crate::i18n::{Lang, Tr};
use crate::web::kit::SharedState;

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

    /// The language the person chose (the query, then the cookie), if any.
    pub fn chosen(parts: &Parts) -> Option<RequestLang> {
        if let Some(lang) = parts.uri.query().and_then(from_query) {
            return Some(RequestLang {
                lang,
                switched: true,
            });
        }
        from_cookies(parts).map(|lang| RequestLang {
            lang,
            switched: false,
        })
    }

    /// The language chosen, else Vietnamese (for requests without a staff account).
    pub fn from_parts(parts: &Parts) -> RequestLang {
        RequestLang::chosen(parts).unwrap_or(RequestLang {
            lang: Lang::Vi,
            switched: false,
        })
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

/// The language a `lang=` pair of the query string names.
fn from_query(query: &str) -> Option<Lang> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang=").and_then(Lang::parse))
}

/// The language the `lang` cookie remembers.
fn from_cookies(parts: &Parts) -> Option<Lang> {
    parts
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
        })
}

impl FromRequestParts<SharedState> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(chosen) = RequestLang::chosen(parts) {
            return Ok(chosen);
        }
        // A staff route (it has a session): the signed-in member's account language. The
        // user is kept in the request, so the handler's own `StaffUser` costs nothing more.
        let mut lang = Lang::Vi;
        if parts.extensions.get::<tower_sessions::Session>().is_some()
            && let Ok(user) = StaffUser::from_request_parts(parts, state).await
        {
            lang = user.lang;
        }
        Ok(RequestLang {
            lang,
            switched: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use axum::http::header::ACCEPT_LANGUAGE;

    fn parts(uri: &str, headers: &[(axum::http::HeaderName, &str)]) -> Parts {
        let mut req = Request::builder().uri(uri);
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        req.body(()).expect("a request").into_parts().0
    }

    #[test]
    fn vietnamese_whatever_the_browser_prefers() {
        for accept in ["en-US,en;q=0.9", "en", "fr-FR,en;q=0.5", ""] {
            let lang = RequestLang::from_parts(&parts("/", &[(ACCEPT_LANGUAGE, accept)]));
            assert_eq!(lang.lang, Lang::Vi, "{accept}");
            assert!(!lang.switched);
            assert_eq!(lang.set_cookie(), None);
        }
    }

    #[test]
    fn english_only_when_chosen_and_then_remembered() {
        let switched = RequestLang::from_parts(&parts("/track?x=1&lang=en", &[]));
        assert_eq!(switched.lang, Lang::En);
        assert!(switched.switched);
        assert_eq!(
            switched.set_cookie().as_deref(),
            Some("lang=en; Path=/; Max-Age=31536000; SameSite=Lax")
        );
        let remembered = RequestLang::from_parts(&parts(
            "/",
            &[(COOKIE, "a=b; lang=en"), (ACCEPT_LANGUAGE, "vi-VN")],
        ));
        assert_eq!(remembered.lang, Lang::En);
        assert!(!remembered.switched);
        // The query beats the cookie; an unknown language is no choice.
        let back = RequestLang::from_parts(&parts("/?lang=vi", &[(COOKIE, "lang=en")]));
        assert_eq!(back.lang, Lang::Vi);
        let unknown = RequestLang::chosen(&parts("/?lang=fr", &[(COOKIE, "lang=de")]));
        assert!(unknown.is_none());
    }
}
