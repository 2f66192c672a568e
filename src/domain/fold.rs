//! Text folding for accent- and case-insensitive search, and cleaning of
//! user-entered text (Unicode normalisation, whitespace and control
//! characters).
//!
//! [`fold`] turns Vietnamese text into a plain key: `"Nguyễn,Văn"` →
//! `"nguyen van"`, `"20/2008/NĐ-CP"` → `"20 2008 nd cp"`. Both the stored text
//! and the search query go through it, so "hòa", "hoà" and "HOA" all match.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for search:
///
/// 1. NFC, then lowercase (so `Đ` becomes `đ`);
/// 2. NFD, dropping every combining mark (Unicode `General_Category=Mark`,
///    which covers the Vietnamese tone and vowel marks);
/// 3. `đ` → `d` (it has no decomposition), and likewise `ð`, the Icelandic
///    eth that text converted from legacy Vietnamese encodings often has in
///    place of `Đ`;
/// 4. every character that is neither alphanumeric nor whitespace
///    (punctuation, symbols, control characters) becomes a space;
/// 5. runs of Unicode whitespace collapse to one ASCII space, and the result
///    is trimmed.
///
/// The result is therefore a space-separated list of lowercase words made of
/// letters and digits only.
pub fn fold(s: &str) -> String {
    // Text in the characters the table covers (nearly all Vietnamese text typed in
    // NFC) folds a character at a time; anything else takes the full path below.
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        match quick(c) {
            Quick::Ascii(b) => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(char::from(b));
            }
            Quick::Separator => pending_space = true,
            Quick::Slow => return fold_slowly(s),
        }
    }
    out
}

/// [`fold`] in full: normalisation of the whole text, then each step as listed there.
fn fold_slowly(s: &str) -> String {
    let lowered = s.nfc().collect::<String>().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut pending_space = false;
    for c in lowered.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = if matches!(c, 'đ' | 'ð') { 'd' } else { c };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// A character of a word: a letter or digit, or a combining mark (text typed in NFD).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Appends what `c`, a character of a word, folds to: as [`fold`] folds a word, a
/// character at a time (lowercased, decomposed, its marks dropped, `đ` as `d`). One
/// difference, harmless to marking words: a word-final Greek capital sigma lowers to
/// `σ`, where `fold`'s whole-string lowering gives `ς`.
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        unicode_normalization::char::decompose_canonical(lower, |d| {
            if is_combining_mark(d) {
                return;
            }
            let d = if matches!(d, 'đ' | 'ð') { 'd' } else { d };
            if d.is_alphanumeric() {
                out.push(d);
            }
        });
    }
}

/// What a character folds to, at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quick {
    /// A word character that folds to this one ASCII letter or digit.
    Ascii(u8),
    /// Not a word character: it separates words.
    Separator,
    /// Outside the table, or folding to something else: see [`fold_char`].
    Slow,
}

/// [`Quick`] from a table covering the characters Vietnamese text is written in: ASCII,
/// Latin-1 to Latin Extended-B and Latin Extended Additional (`ạ` to `ỹ`). The table is
/// worked out once from [`fold_char`] itself, so the two cannot disagree; lowering and
/// decomposing each character through Unicode's tables was most of the CPU of a
/// search's page (fifty excerpts) and a large part of folding a filing's text.
pub fn quick(c: char) -> Quick {
    const SEPARATOR: u8 = 0;
    const SLOW: u8 = 0xff;
    const LOW_END: usize = 0x250;
    const ADDITIONAL: std::ops::Range<usize> = 0x1e00..0x1f00;
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..LOW_END)
            .chain(ADDITIONAL)
            .map(|code| {
                let Some(c) = u32::try_from(code).ok().and_then(char::from_u32) else {
                    return SLOW;
                };
                if !is_word_char(c) {
                    return SEPARATOR;
                }
                let mut folded = String::new();
                fold_char(c, &mut folded);
                match folded.as_bytes() {
                    [b] if b.is_ascii_alphanumeric() => *b,
                    _ => SLOW,
                }
            })
            .collect()
    });
    let code = c as usize;
    let slot = if code < LOW_END {
        table[code]
    } else if ADDITIONAL.contains(&code) {
        table[LOW_END + code - ADDITIONAL.start]
    } else {
        SLOW
    };
    match slot {
        SEPARATOR => Quick::Separator,
        SLOW => Quick::Slow,
        b => Quick::Ascii(b),
    }
}

/// Folds `s` and splits it into words, dropping duplicates (the first
/// occurrence keeps its place).
pub fn fold_words(s: &str) -> Vec<String> {
    let folded = fold(s);
    let mut seen = HashSet::new();
    folded
        .split(' ')
        .filter(|w| !w.is_empty() && seen.insert(*w))
        .map(str::to_owned)
        .collect()
}

/// Unicode NFC normalisation.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Cleans a single-line field (name, title, address): NFC, every run of
/// whitespace and control characters (including line breaks) becomes one
/// space, and the ends are trimmed.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfc() {
        if c.is_whitespace() || c.is_control() {
            pending_space = true;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// Most consecutive blank lines [`clean_text`] keeps.
pub const MAX_BLANK_LINES: usize = 2;

/// Cleans a multi-line field (the content of a PAKN, a reply): NFC; `\r\n`
/// and lone `\r` become `\n`; control characters other than `\n` and `\t`
/// are dropped; trailing whitespace is trimmed from every line; runs of more
/// than [`MAX_BLANK_LINES`] blank lines shrink to that many; and the whole
/// text is trimmed.
pub fn clean_text(s: &str) -> String {
    let normalised = nfc(s).replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(normalised.len());
    let mut blank_run = 0;
    for line in normalised.split('\n') {
        let line: String = line
            .chars()
            .filter(|&c| c == '\t' || !c.is_control())
            .collect();
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > MAX_BLANK_LINES {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    #[test]
    fn folds_vietnamese_diacritics() {
        assert_eq!(fold("Thủ tục"), "thu tuc");
        assert_eq!(fold("Nguyễn"), "nguyen");
        assert_eq!(fold("Đường"), "duong");
        assert_eq!(fold("ĐẶNG THỊ"), "dang thi");
        assert_eq!(fold("\u{00D0}ỗ Văn"), "do van"); // legacy eth for Đ
        assert_eq!(fold("đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(
            fold("Ủy ban nhân dân tỉnh Sóc Trăng"),
            "uy ban nhan dan tinh soc trang"
        );
    }

    #[test]
    fn old_and_new_tone_placement_fold_equal() {
        assert_eq!(fold("hòa"), fold("hoà"));
        assert_eq!(fold("hòa"), "hoa");
        assert_eq!(fold("thủy"), fold("thuỷ"));
    }

    #[test]
    fn nfd_input_folds_like_nfc() {
        for s in [
            "Nguyễn Văn Đức",
            "Thủ tục hành chính",
            "ĐẶNG THỊ HOÀ",
            "hoà",
        ] {
            let decomposed = nfd(s);
            assert_ne!(decomposed, s);
            assert_eq!(fold(&decomposed), fold(s), "{s}");
        }
    }

    #[test]
    fn collapses_whitespace_and_trims() {
        assert_eq!(fold("  extra   spaces\t\n"), "extra spaces");
        assert_eq!(fold("a\u{00A0}\u{2003}b\r\nc"), "a b c");
        assert_eq!(fold(""), "");
        assert_eq!(fold(" \t\n "), "");
    }

    #[test]
    fn lowercases_mixed_case() {
        assert_eq!(fold("MiXeD CaSe"), "mixed case");
        assert_eq!(fold("CCCD"), "cccd");
    }

    #[test]
    fn punctuation_becomes_a_separator() {
        assert_eq!(fold("Nguyễn,Văn"), "nguyen van");
        assert_eq!(fold("20/2008/NĐ-CP"), "20 2008 nd cp");
        assert_eq!(fold("“Hộ khẩu” (KT3)!"), "ho khau kt3");
        assert_eq!(fold("...,,,"), "");
        assert_eq!(fold("a\u{0007}b"), "a b");
    }

    #[test]
    fn the_quick_table_agrees_with_the_full_fold_for_every_character_it_covers() {
        for code in (0..0x250).chain(0x1e00..0x1f00) {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let full = fold_slowly(&c.to_string());
            match quick(c) {
                Quick::Separator => assert_eq!(full, "", "{c:?}"),
                Quick::Slow => {}
                Quick::Ascii(b) => assert_eq!(full, char::from(b).to_string(), "{c:?}"),
            }
        }
        assert_eq!(quick('ỹ'), Quick::Ascii(b'y'));
        assert_eq!(quick('Đ'), Quick::Ascii(b'd'));
        assert_eq!(quick('-'), Quick::Separator);
        assert_eq!(quick('Ω'), Quick::Slow);
    }

    #[test]
    fn the_quick_path_folds_as_the_full_one() {
        for text in [
            "  Ông Nguyễn Văn Đức, ĐƯỜNG Lê-Lợi:\thồ sơ BHXH số 20/2008/NĐ-CP;  ",
            "Hòa hoà HOÀ ǅemal Straße İstanbul x² ΣΊΣΥΦΟΣ",
            "",
            "!!!",
        ] {
            assert_eq!(fold(text), fold_slowly(text), "{text:?}");
            let nfd = nfd(text);
            assert_eq!(fold(&nfd), fold_slowly(text), "{text:?} in NFD");
        }
    }

    #[test]
    fn fold_words_splits_and_dedupes_in_order() {
        assert_eq!(
            fold_words("Hòa, hoà; HOA — Bình hòa"),
            vec!["hoa".to_string(), "binh".to_string()]
        );
        assert_eq!(fold_words("  Thủ tục  "), vec!["thu", "tuc"]);
        assert!(fold_words(" ,.; ").is_empty());
    }

    #[test]
    fn nfc_composes() {
        let decomposed = nfd("Nguyễn");
        assert_eq!(nfc(&decomposed), "Nguyễn");
        assert_eq!(nfc("Nguyễn").chars().count(), 6);
    }

    #[test]
    fn clean_line_collapses_and_trims() {
        assert_eq!(clean_line("  Nguyễn   Văn\tA \n"), "Nguyễn Văn A");
        assert_eq!(clean_line("a\r\nb\u{0000}c\u{001B}d"), "a b c d");
        assert_eq!(clean_line("a\u{00A0}\u{00A0}b"), "a b");
        assert_eq!(clean_line("\u{0007}\t "), "");
        // Punctuation is kept as typed.
        assert_eq!(clean_line("Số 20/2008/NĐ-CP"), "Số 20/2008/NĐ-CP");
    }

    #[test]
    fn clean_line_outputs_nfc() {
        let decomposed = nfd("Đặng Thị Hoà");
        let cleaned = clean_line(&format!("  {decomposed} "));
        assert_eq!(cleaned, "Đặng Thị Hoà");
        assert_eq!(cleaned, nfc(&cleaned));
    }

    #[test]
    fn clean_text_normalises_line_endings() {
        assert_eq!(clean_text("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(clean_text("a\r\n\r\nb"), "a\n\nb");
    }

    #[test]
    fn clean_text_drops_controls_but_keeps_tabs() {
        assert_eq!(clean_text("a\u{0000}b\u{001B}[0m\tc"), "ab[0m\tc");
        assert_eq!(clean_text("x\u{0085}y"), "xy");
    }

    #[test]
    fn clean_text_trims_line_ends_and_whole_text() {
        assert_eq!(
            clean_text("  \n\n  first  \nsecond\t \n\n  "),
            "first\nsecond"
        );
        assert_eq!(clean_text("  indented\n  kept"), "indented\n  kept");
        assert_eq!(clean_text(" \r\n \t "), "");
    }

    #[test]
    fn clean_text_limits_blank_lines() {
        assert_eq!(clean_text("a\n\nb"), "a\n\nb");
        assert_eq!(clean_text("a\n\n\nb"), "a\n\n\nb");
        assert_eq!(clean_text("a\n\n\n\nb"), "a\n\n\nb");
        assert_eq!(clean_text("a\n \n\t\n  \n\n\nb"), "a\n\n\nb");
    }

    #[test]
    fn clean_text_outputs_nfc() {
        let decomposed = nfd("Kính gửi\r\nỦy ban");
        assert_eq!(clean_text(&decomposed), "Kính gửi\nỦy ban");
    }
}
