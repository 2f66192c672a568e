//! Vietnamese phone numbers: parsing what people type into the national
//! format (digits only, leading `0`).
//!
//! Valid numbers are mobiles, `0` + one of `3 5 7 8 9` + 8 digits (10 digits),
//! and landlines, `02` + 9 digits (11 digits). Separators (spaces, `.`, `-`,
//! `(`, `)`) are ignored, and the country code `+84`, `0084` or a bare `84`
//! is replaced by the leading `0`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Longest input looked at; anything longer is rejected outright.
const MAX_INPUT_CHARS: usize = 64;

/// A valid Vietnamese phone number in national form, e.g. `0983570009`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Whether a number is a mobile or a landline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    /// 10 digits: `0` + `3|5|7|8|9` + 8 digits.
    Mobile,
    /// 11 digits: `02` + 9 digits.
    Landline,
}

/// Why a phone number was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhoneError {
    /// Nothing but whitespace was entered.
    Empty,
    /// Not a valid Vietnamese mobile or landline number.
    Invalid,
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PhoneError::Empty => "phone number is empty",
            PhoneError::Invalid => "not a valid Vietnamese phone number",
        })
    }
}

impl std::error::Error for PhoneError {}

impl Phone {
    /// Parses a phone number as typed by a person.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(PhoneError::Empty);
        }
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(PhoneError::Invalid);
        }

        let (plus, rest) = match input.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '.' | '-' | '(' | ')' => {}
                c if c.is_whitespace() => {}
                _ => return Err(PhoneError::Invalid),
            }
        }

        let national = if plus {
            digits.strip_prefix("84").map(from_country_code)
        } else if let Some(rest) = digits.strip_prefix("0084") {
            Some(from_country_code(rest))
        } else if digits.starts_with('0') {
            Some(digits)
        } else {
            digits.strip_prefix("84").map(|rest| format!("0{rest}"))
        };

        national
            .filter(|n| classify(n).is_some())
            .map(Phone)
            .ok_or(PhoneError::Invalid)
    }

    /// The normalised digits, e.g. `0983570009`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Mobile or landline.
    pub fn kind(&self) -> PhoneKind {
        // Every `Phone` was validated by `classify`; the fallback is never
        // taken but avoids a panic path.
        classify(&self.0).unwrap_or(PhoneKind::Mobile)
    }
}

/// Same as [`Phone::parse`].
pub fn parse(input: &str) -> Result<Phone, PhoneError> {
    Phone::parse(input)
}

/// Turns the digits after a `+84`/`0084` country code into national form.
/// Also tolerates the written-out trunk zero, as in `+84 (0) 983 570 009`.
fn from_country_code(rest: &str) -> String {
    if rest.starts_with('0') {
        rest.to_owned()
    } else {
        format!("0{rest}")
    }
}

/// Classifies a string of national digits, or `None` if it is not valid.
fn classify(digits: &str) -> Option<PhoneKind> {
    let bytes = digits.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    match bytes {
        [b'0', b'3' | b'5' | b'7' | b'8' | b'9', ..] if bytes.len() == 10 => {
            Some(PhoneKind::Mobile)
        }
        [b'0', b'2', ..] if bytes.len() == 11 => Some(PhoneKind::Landline),
        _ => None,
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        match Phone::parse(input) {
            Ok(p) => p.as_str().to_owned(),
            Err(e) => panic!("{input:?} rejected: {e}"),
        }
    }

    #[test]
    fn mobile_with_dots() {
        assert_eq!(ok("0983.570.009"), "0983570009");
        assert_eq!(
            Phone::parse("0983.570.009").unwrap().kind(),
            PhoneKind::Mobile
        );
    }

    #[test]
    fn landline_with_dots() {
        assert_eq!(ok("02963.957.006"), "02963957006");
        assert_eq!(
            Phone::parse("02963.957.006").unwrap().kind(),
            PhoneKind::Landline
        );
    }

    #[test]
    fn country_code_forms() {
        assert_eq!(ok("+84 983 570 009"), "0983570009");
        assert_eq!(ok("84983570009"), "0983570009");
        assert_eq!(ok("0084983570009"), "0983570009");
        assert_eq!(ok("+84 (0) 983 570 009"), "0983570009");
        assert_eq!(ok("+84 296 3957 006"), "02963957006");
        assert_eq!(ok("0084-296-3957-006"), "02963957006");
        assert_eq!(ok("84 2963 957 006"), "02963957006");
    }

    #[test]
    fn separators_and_parentheses() {
        assert_eq!(ok("(0296) 3957 006"), "02963957006");
        assert_eq!(ok("  0983-570-009 "), "0983570009");
        assert_eq!(ok("0983\u{00A0}570\u{00A0}009"), "0983570009");
    }

    #[test]
    fn every_mobile_prefix() {
        for d in ['3', '5', '7', '8', '9'] {
            assert_eq!(ok(&format!("0{d}12345678")), format!("0{d}12345678"));
        }
        for d in ['0', '1', '2', '4', '6'] {
            assert_eq!(
                Phone::parse(&format!("0{d}12345678")),
                Err(PhoneError::Invalid),
                "prefix 0{d}"
            );
        }
    }

    #[test]
    fn empty_input() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(Phone::parse("  \t "), Err(PhoneError::Empty));
    }

    #[test]
    fn rejects_invalid() {
        for input in [
            "098357000",       // 9 digits
            "098357000912",    // 12 digits
            "0983abc009",      // letters
            "0983 57O 009",    // letter O
            "0183570009",      // bad mobile prefix
            "+1 202 555 0100", // foreign
            "+0983570009",
            "1234567890",
            "0296395700",   // landline too short
            "029639570066", // landline too long
            "02963957006 ext 1",
            "0983+570009",
            "-.()",
            "+",
            "+84",
            "0084",
            "84",
            "8498357000",   // 84 + 8 digits
            "+84 83570009", // 84 + 8 digits
            "00849835700",  // 0084 + too few
            "+84 0183570009",
            "０９８３５７０００９", // full-width digits
        ] {
            assert_eq!(Phone::parse(input), Err(PhoneError::Invalid), "{input:?}");
        }
        assert_eq!(Phone::parse(&"0".repeat(1000)), Err(PhoneError::Invalid));
    }

    #[test]
    fn display_from_str_and_serde_conversions() {
        let phone: Phone = "+84 983 570 009".parse().unwrap();
        assert_eq!(phone.to_string(), "0983570009");
        assert_eq!(parse("0983570009"), Ok(phone.clone()));
        assert_eq!(
            Phone::try_from("0983 570 009".to_string()),
            Ok(phone.clone())
        );
        assert_eq!(String::from(phone), "0983570009");
        assert_eq!(
            PhoneError::Invalid.to_string(),
            "not a valid Vietnamese phone number"
        );

        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StringDeserializer};
        let de: StringDeserializer<Error> = "+84 983 570 009".to_string().into_deserializer();
        assert_eq!(Phone::deserialize(de).unwrap().as_str(), "0983570009");
        let de: StringDeserializer<Error> = "0183570009".to_string().into_deserializer();
        assert!(Phone::deserialize(de).is_err());
    }
}
