//! The language of a machine caller (`/api/v1`, Open311): English when its
//! `Accept-Language` puts English first, else Vietnamese. (Pages for people follow the
//! language they chose on the site instead, see [`super::lang`].)

use axum::http::{HeaderMap, header};

use crate::i18n::Lang;

pub fn lang_of(headers: &HeaderMap) -> Lang {
    let first = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if first.starts_with("en") {
        Lang::En
    } else {
        Lang::Vi
    }
}
