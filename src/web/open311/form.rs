//! Open311's parameters, form-urlencoded in a POST body or in the query: plain names,
//! and the bracketed attributes of a service definition, `attribute[CODE]=v` or, for a
//! list, `attribute[CODE][]=v1&attribute[CODE][]=v2`. An empty value is the same as an
//! absent one (the spec's rule), so it is dropped here.

use std::collections::BTreeMap;

/// The parameters of one call.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params {
    plain: BTreeMap<String, String>,
    attributes: BTreeMap<String, Vec<String>>,
}

impl Params {
    /// Parses `bytes` (`a=b&c=d`, percent- and plus-decoded); a later plain value replaces
    /// an earlier one, list values add up.
    pub fn parse(bytes: &[u8]) -> Params {
        let mut p = Params::default();
        p.add(bytes);
        p
    }

    /// Adds the pairs of `bytes` to these (the query's under a body's).
    pub fn add(&mut self, bytes: &[u8]) {
        for (k, v) in url::form_urlencoded::parse(bytes) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match attribute_code(&k) {
                Some((code, _)) => self
                    .attributes
                    .entry(code.to_string())
                    .or_default()
                    .push(v.to_string()),
                None => {
                    self.plain.insert(k.into_owned(), v.to_string());
                }
            }
        }
    }

    /// A plain parameter's value; absent when missing or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.plain.get(name).map(String::as_str)
    }

    /// A plain parameter's comma-separated values (`service_code=a,b`).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An attribute's first value.
    pub fn attribute(&self, code: &str) -> Option<&str> {
        self.attributes
            .get(code)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// Every pair but `skip`, in a stable order (a filing's identity for idempotency).
    pub fn canonical_without(&self, skip: &str) -> String {
        let mut out = String::new();
        for (k, v) in self.plain.iter().filter(|(k, _)| k.as_str() != skip) {
            out += &format!("{k}={v}\n");
        }
        for (k, vs) in &self.attributes {
            for v in vs {
                out += &format!("attribute[{k}]={v}\n");
            }
        }
        out
    }
}

/// `attribute[CODE]` → (`CODE`, false); `attribute[CODE][]` → (`CODE`, true).
fn attribute_code(name: &str) -> Option<(&str, bool)> {
    let inner = name.strip_prefix("attribute[")?;
    let (code, list) = match inner.strip_suffix("][]") {
        Some(code) => (code, true),
        None => (inner.strip_suffix(']')?, false),
    };
    (!code.is_empty() && !code.contains(['[', ']'])).then_some((code, list))
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn brackets_single_and_list_values() {
        let p = Params::parse(
            b"service_code=DAT&attribute%5Bkind%5D=phan_anh&attribute[tags][]=a&attribute[tags][]=b",
        );
        assert_eq!(p.get("service_code"), Some("DAT"));
        assert_eq!(p.attribute("kind"), Some("phan_anh"));
        assert_eq!(p.attributes.get("tags").map(Vec::len), Some(2));
        assert_eq!(p.attribute("tags"), Some("a"));
    }

    #[test]
    fn an_empty_value_is_absent() {
        let p = Params::parse(b"email=&phone=%20&attribute[kind]=&description=x+y");
        assert_eq!(p.get("email"), None);
        assert_eq!(p.get("phone"), None);
        assert_eq!(p.attribute("kind"), None);
        assert_eq!(p.get("description"), Some("x y"));
    }

    #[test]
    fn odd_brackets_are_plain_names() {
        let p = Params::parse(b"attribute[]=x&attribute[a=y&attribute[a][b]=z");
        assert!(p.attributes.is_empty());
        assert_eq!(p.get("attribute[]"), Some("x"));
    }

    #[test]
    fn lists_split_on_commas_and_the_key_is_left_out() {
        let p = Params::parse(b"service_code=A,%20B,,C&api_key=secret&z=1");
        assert_eq!(p.list("service_code"), vec!["A", "B", "C"]);
        let c = p.canonical_without("api_key");
        assert!(!c.contains("secret"));
        assert!(c.contains("z=1"));
    }
}
