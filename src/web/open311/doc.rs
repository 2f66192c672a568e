//! One document, written as Open311 wants it in either format: JSON with every id and
//! code a string and lists as bare arrays, or XML (UTF-8, with the declaration) where a
//! list is an element holding one element per item.

use std::fmt::Write;

use crate::web::kit::markup::escape;

/// A value of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Bool(bool),
    Num(i64),
    /// An object: its fields in order.
    Obj(Vec<(&'static str, Val)>),
    /// A list, and the name of its items' element in XML.
    List(&'static str, Vec<Val>),
}

pub fn s(v: impl Into<String>) -> Val {
    Val::Str(v.into())
}

/// The two formats, named by the last path segment's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// `services.json` → (`services`, JSON); an unknown or missing suffix is `None` (404).
pub fn split(segment: &str) -> Option<(&str, Format)> {
    let (stem, ext) = segment.rsplit_once('.')?;
    let format = match ext {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    (!stem.is_empty()).then_some((stem, format))
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }

    /// `root` (the XML root element's name) holding `v`.
    pub fn render(self, root: &str, v: &Val) -> String {
        let mut out = String::new();
        match self {
            Format::Json => json(&mut out, v),
            Format::Xml => {
                out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
                xml(&mut out, root, v);
            }
        }
        out
    }
}

fn json(out: &mut String, v: &Val) {
    match v {
        Val::Str(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) => {
            let _ = write!(out, "{n}");
        }
        Val::Obj(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(*k).to_string());
                out.push(':');
                json(out, v);
            }
            out.push('}');
        }
        Val::List(_, items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(out, v);
            }
            out.push(']');
        }
    }
}

fn xml(out: &mut String, name: &str, v: &Val) {
    let _ = write!(out, "<{name}>");
    match v {
        Val::Str(s) => out.push_str(&escape(s)),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Num(n) => {
            let _ = write!(out, "{n}");
        }
        Val::Obj(fields) => {
            for (k, v) in fields {
                xml(out, k, v);
            }
        }
        Val::List(item, items) => {
            for v in items {
                xml(out, item, v);
            }
        }
    }
    let _ = write!(out, "</{name}>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_the_last_suffix_and_unknown_ones_are_refused() {
        assert_eq!(split("services.json"), Some(("services", Format::Json)));
        assert_eq!(split("a.b.xml"), Some(("a.b", Format::Xml)));
        assert_eq!(split("services.html"), None);
        assert_eq!(split("services"), None);
        assert_eq!(split(".json"), None);
    }

    #[test]
    fn codes_stay_strings_lists_stay_lists_and_xml_is_escaped() {
        let doc = Val::List(
            "service",
            vec![Val::Obj(vec![
                ("service_code", s("001")),
                ("service_name", s("Lao động & <việc làm>")),
                ("metadata", Val::Bool(true)),
            ])],
        );
        assert_eq!(
            Format::Json.render("services", &doc),
            r#"[{"service_code":"001","service_name":"Lao động & <việc làm>","metadata":true}]"#
        );
        assert_eq!(
            Format::Xml.render("services", &doc),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>001\
             </service_code><service_name>Lao động &amp; &lt;việc làm&gt;</service_name>\
             <metadata>true</metadata></service></services>"
        );
    }
}
