//! Numbers as people read them: thousands grouped with "." in Vietnamese and "," in
//! English (1.234.567 / 1,234,567).

use crate::i18n::Tr;

/// `n` with its thousands separated by `sep`.
pub fn group_digits(n: i64, sep: char) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The thousands separator of `t`'s language.
pub fn thousands_separator(t: &Tr) -> char {
    if t.code() == "vi" { '.' } else { ',' }
}

/// `n` grouped as `t`'s language writes it.
pub fn grouped(t: &Tr, n: i64) -> String {
    group_digits(n, thousands_separator(t))
}

#[cfg(test)]
mod tests {
    use super::group_digits;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_digits(0, '.'), "0");
        assert_eq!(group_digits(999, '.'), "999");
        assert_eq!(group_digits(1000, '.'), "1.000");
        assert_eq!(group_digits(1234567, '.'), "1.234.567");
        assert_eq!(group_digits(1234567, ','), "1,234,567");
        assert_eq!(group_digits(-1234, '.'), "-1.234");
    }
}
