//! Masking personal data in the public copy of a PAKN (domain.md, "Personal data":
//! public listings are stripped of name, phone, email, address and ID numbers).
//!
//! What is hidden, each replaced by [`MASK`]:
//!
//! - the sender's own details given in the form ([`PersonalData`]): the full name, the
//!   organisation, the representative and the address, matched word by word ignoring
//!   case and diacritics ("NGUYỄN THỊ HOÀ", "Nguyen Thi Hoa"), with the usual
//!   shortenings of a name (family + given name, the last two words, an honorific
//!   followed by the capitalised given name: "bà Hoà"), an organisation without its
//!   legal form ("Minh Phát" of "Công ty TNHH Minh Phát"), and the parts of the
//!   address that carry a house number ("số 12 đường Trần Hưng Đạo");
//! - phone numbers in every Vietnamese format: mobiles (10 digits), landlines (11
//!   digits, `02…`), old 11-digit mobiles (`01[2689]…`), with `+84`, `84` or `0084`,
//!   grouped by spaces, dots, hyphens or parentheses (`0912 345 678`, `0912.345.678`,
//!   `091-234-5678`, `+84 912 345 678`, `84912345678`, `(028) 3822 1234`), also glued
//!   to a label (`SĐT0912345678`, hidden whole);
//! - email addresses (also written with `[at]` or `(at)`);
//! - 9-digit (CMND) and 12-digit (CCCD) ID numbers, and any number of 6 digits or
//!   more right after words that announce an identifier (CMND, CCCD, căn cước,
//!   hộ chiếu, BHXH, số tài khoản, mã số thuế …), passport numbers included.
//!
//! What stays: dates (`12/03/2025`, `12-03-2025`, `12.03.2025`, "ngày 12 tháng 3 năm
//! 2025"), amounts (`1.500.000 đồng`, `1,5 triệu`, `2.000.000đ`, `150 000 000 000
//! đồng`), document numbers (`20/2008/NĐ-CP`, `số 123/UBND-VP`), dossier codes
//! (`000.00.12.H01-250312-0001`, `H01.22-250101-0003`), years and article numbers. A
//! number is looked at as a whole: digits glued to letters or slashes belong to a code
//! and are left alone, a run of digit groups is only cut between groups, and dates and
//! thousands-grouped amounts break a run.
//!
//! The marker is `[đã ẩn]` ("hidden"): Vietnamese like the copy it sits in, the words
//! of the consent the citizen ticked ("công khai … đã ẩn thông tin cá nhân"), square
//! brackets so no reader takes it for the citizen's words, one marker for every kind
//! so the copy does not tell which detail was there, and no digit or `@`, so masking a
//! masked text changes nothing.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::fold::fold;

/// What replaces each hidden detail.
pub const MASK: &str = "[đã ẩn]";

/// The sender's details as given in the form (any may be missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonalData {
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub representative: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Anything else to hide wherever it appears, e.g. the tracking code.
    pub other: Vec<String>,
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Name,
    Organization,
    Address,
    Phone,
    Email,
    IdNumber,
    Other,
}

/// A detail to hide: its kind, its byte range in the text, and whether it is the
/// sender's own (given in the form) rather than found by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub given: bool,
}

/// A sequence of folded words to find.
#[derive(Debug, Clone)]
struct Term {
    words: Vec<String>,
    kind: Kind,
    /// Taken only where every word is capitalised in the text: single words and the
    /// shortened forms of a name ("Hoà" but not "hoà"; "Minh Phát" but not the
    /// "minh phát" of "chứng minh phát sinh").
    needs_capital: bool,
}

/// Masks texts for one sender; build once, apply to the title, question and answer.
#[derive(Debug, Clone)]
pub struct Masker {
    terms: Vec<Term>,
    /// Folded given names (the last word of each person's name).
    given_names: Vec<String>,
    /// The sender's phone in national digits.
    phone: Option<String>,
    /// The sender's email, lower case.
    email: Option<String>,
}

/// Words in front of a person's given name.
const HONORIFICS: &[&str] = &[
    "ong", "ba", "anh", "chi", "em", "co", "chu", "bac", "cau", "di", "cu", "chau", "mr", "mrs",
    "ms", "miss",
];

/// Legal forms at the start of an organisation's name.
const LEGAL_FORMS: &[&[&str]] = &[
    &["tong", "cong", "ty"],
    &["cong", "ty"],
    &["trach", "nhiem", "huu", "han"],
    &["tnhh"],
    &["co", "phan"],
    &["cp"],
    &["mot", "thanh", "vien"],
    &["hai", "thanh", "vien", "tro", "len"],
    &["mtv"],
    &["doanh", "nghiep", "tu", "nhan"],
    &["doanh", "nghiep"],
    &["dntn"],
    &["hop", "tac", "xa"],
    &["htx"],
    &["ho", "kinh", "doanh"],
    &["chi", "nhanh"],
    &["van", "phong", "dai", "dien"],
    &["tap", "doan"],
    &["co", "so"],
];

/// Words an address in running text may carry that the form's address lacks.
const ADDRESS_FILLERS: &[&str] = &["so", "nha", "duong", "pho", "tai", "o"];

/// Words after which a number is an identifier.
const ID_CONTEXT: &[&[&str]] = &[
    &["cmnd"],
    &["cmtnd"],
    &["cccd"],
    &["can", "cuoc"],
    &["chung", "minh"],
    &["dinh", "danh"],
    &["ho", "chieu"],
    &["passport"],
    &["bhxh"],
    &["bhyt"],
    &["tai", "khoan"],
    &["stk"],
    &["ma", "so", "thue"],
    &["mst"],
    &["giay", "phep", "lai", "xe"],
];

/// Words after a number written in thousands ("100.000.000.000 đồng") that make it an
/// amount or a measure. Never words that are also ordinary words or names ("hồ sơ",
/// "hộ", "người", "Lan", "Phan", "lần", "tấn"…): a phone or ID before one of those was
/// published unmasked (security review, finding 1).
const UNITS: &[&str] = &[
    "dong", "d", "vnd", "trieu", "ty", "nghin", "ngan", "usd", "euro", "m2", "km", "ha", "kg", "%",
];

/// How far (in bytes) after an identifier word its number may start.
const ID_CONTEXT_WINDOW: usize = 32;

impl Masker {
    pub fn new(p: &PersonalData) -> Masker {
        let mut terms = Vec::new();
        let mut given_names = Vec::new();
        for name in [&p.full_name, &p.representative].into_iter().flatten() {
            let words = words_of(name);
            if words.is_empty() {
                continue;
            }
            push_term(&mut terms, words.clone(), Kind::Name, words.len() == 1);
            if words.len() >= 3 {
                let first_last = vec![words[0].clone(), words[words.len() - 1].clone()];
                push_term(&mut terms, first_last, Kind::Name, true);
                push_term(
                    &mut terms,
                    words[words.len() - 2..].to_vec(),
                    Kind::Name,
                    true,
                );
            }
            if words.len() >= 2
                && let Some(last) = words.last()
                && !given_names.contains(last)
            {
                given_names.push(last.clone());
            }
        }
        if let Some(org) = &p.organization {
            let words = words_of(org);
            push_term(
                &mut terms,
                words.clone(),
                Kind::Organization,
                words.len() == 1,
            );
            let core = strip_legal_forms(&words);
            if core.len() < words.len() && !core.is_empty() {
                let long_enough = core.len() >= 2 || core[0].chars().count() >= 4;
                if long_enough {
                    push_term(&mut terms, core.to_vec(), Kind::Organization, true);
                }
            }
        }
        if let Some(address) = &p.address {
            push_term(&mut terms, words_of(address), Kind::Address, false);
            for segment in address.split([',', ';', '\n']) {
                let words = words_of(segment);
                let has_digit = words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()));
                if words.len() >= 2 && has_digit {
                    push_term(&mut terms, words, Kind::Address, false);
                }
            }
        }
        for other in &p.other {
            push_term(&mut terms, words_of(other), Kind::Other, false);
            let compact: String = fold(other).chars().filter(|c| *c != ' ').collect();
            if !compact.is_empty() {
                push_term(&mut terms, vec![compact], Kind::Other, false);
            }
        }
        Masker {
            terms,
            given_names,
            phone: p.phone.as_deref().and_then(|s| {
                let digits: String = s.chars().filter(char::is_ascii_digit).collect();
                national(s.trim_start().starts_with('+'), &digits)
            }),
            email: p
                .email
                .as_deref()
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty()),
        }
    }

    /// Everything to hide in `text`, sorted by position (ranges may overlap).
    pub fn findings(&self, text: &str) -> Vec<Finding> {
        let blocked = mask_ranges(text);
        let words = alnum_words(text, &blocked);
        let mut out = Vec::new();
        self.find_terms(text, &words, &mut out);
        self.find_honorific_names(text, &words, &mut out);
        let emails = find_emails(text);
        for (start, end) in &emails {
            let given = self
                .email
                .as_deref()
                .is_some_and(|e| text[*start..*end].to_lowercase() == e);
            out.push(Finding {
                kind: Kind::Email,
                start: *start,
                end: *end,
                given,
            });
        }
        let pieces = pieces(text, &emails, &blocked);
        self.find_numbers(text, &pieces, &mut out);
        find_id_context(text, &words, &pieces, &blocked, &mut out);
        out.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
        out
    }

    /// `text` (NFC) with every finding replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        let text: String = text.nfc().collect();
        let findings = self.findings(&text);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut open: Option<(usize, usize)> = None;
        for f in findings {
            match open {
                Some((s, e)) if f.start <= e => open = Some((s, e.max(f.end))),
                Some((s, e)) => {
                    out.push_str(&text[at..s]);
                    out.push_str(MASK);
                    at = e;
                    open = Some((f.start, f.end));
                }
                None => open = Some((f.start, f.end)),
            }
        }
        if let Some((s, e)) = open {
            out.push_str(&text[at..s]);
            out.push_str(MASK);
            at = e;
        }
        out.push_str(&text[at..]);
        out
    }

    fn find_terms(&self, text: &str, words: &[Word], out: &mut Vec<Finding>) {
        for term in &self.terms {
            let fillers: &[&str] = if term.kind == Kind::Address {
                ADDRESS_FILLERS
            } else {
                &[]
            };
            for i in 0..words.len() {
                if let Some(end) = match_term(text, words, i, term, fillers) {
                    out.push(Finding {
                        kind: term.kind,
                        start: words[i].start,
                        end,
                        given: true,
                    });
                }
            }
        }
    }

    fn find_honorific_names(&self, text: &str, words: &[Word], out: &mut Vec<Finding>) {
        if self.given_names.is_empty() {
            return;
        }
        for pair in words.windows(2) {
            let (h, n) = (&pair[0], &pair[1]);
            if !HONORIFICS.contains(&h.folded.as_str()) || !joined(text, h, n) {
                continue;
            }
            if self.given_names.contains(&n.folded) && starts_upper(&text[n.start..n.end]) {
                out.push(Finding {
                    kind: Kind::Name,
                    start: n.start,
                    end: n.end,
                    given: true,
                });
            }
        }
    }

    fn find_numbers(&self, text: &str, pieces: &[Piece], out: &mut Vec<Finding>) {
        let mut i = 0;
        while i < pieces.len() {
            let p = &pieces[i];
            match p.kind {
                PieceKind::Code => {
                    // The whole piece goes, label included: cutting a word in two would
                    // change what a second masking sees.
                    let phones = phones_in_code(text, p);
                    if !phones.is_empty() {
                        out.push(Finding {
                            kind: Kind::Phone,
                            start: p.start,
                            end: p.end,
                            given: phones
                                .iter()
                                .any(|n| self.phone.as_deref() == Some(n.as_str())),
                        });
                    }
                    i += 1;
                    continue;
                }
                PieceKind::Numeric => {}
                _ => {
                    i += 1;
                    continue;
                }
            }
            // The longest run of whole pieces from i that reads as a phone or an ID.
            let mut digits = String::new();
            let mut best: Option<(usize, Kind, Option<String>)> = None;
            let mut j = i;
            while j < pieces.len() {
                if j > i
                    && !(pieces[j].kind == PieceKind::Numeric
                        && continues(&pieces[j - 1], &pieces[j]))
                {
                    break;
                }
                if j > i && pieces[j].plus {
                    break;
                }
                digits.push_str(&pieces[j].digits);
                if digits.len() > 15 {
                    break;
                }
                let group_sizes: Vec<usize> =
                    pieces[i..=j].iter().map(|q| q.digits.len()).collect();
                if let Some((kind, nat)) = classify(p.plus, &digits, &group_sizes) {
                    best = Some((j, kind, nat));
                }
                j += 1;
            }
            match best {
                // A phone reading is never an amount; an ID-shaped number is one only
                // when written in thousands and followed by a unit.
                Some((j, kind, nat))
                    if !(nat.is_none()
                        && thousands(&pieces[i..=j])
                        && followed_by_unit(text, pieces, j)) =>
                {
                    let (start, end) = unwrap_parens(text, pieces[i].start, pieces[j].end);
                    out.push(Finding {
                        kind,
                        start,
                        end,
                        given: nat.is_some() && self.phone.is_some() && nat == self.phone,
                    });
                    i = j + 1;
                }
                _ => i += 1,
            }
        }
    }
}

impl Masker {
    /// Whether `text` still holds the sender's phone however it is written: its digits
    /// alone, in order, contain the national number (`0983570009`) or the number
    /// after the country code (`84983570009`). Independent of how the masker splits
    /// words, for the publish check: a copy that holds the sender's own number never
    /// goes public, whatever the masker missed.
    pub fn holds_sender_phone(&self, text: &str) -> bool {
        let Some(phone) = &self.phone else {
            return false;
        };
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let international = format!("84{}", phone.trim_start_matches('0'));
        digits.contains(phone.as_str()) || digits.contains(&international)
    }
}

/// Masks `text` for the sender `p` (see [`Masker`]).
pub fn mask(text: &str, p: &PersonalData) -> String {
    Masker::new(p).mask(text)
}

/// The folded text search runs over: the public copy's parts, without the markers.
pub fn search_text(parts: &[&str]) -> String {
    let joined = parts
        .iter()
        .map(|p| p.replace(MASK, " "))
        .collect::<Vec<_>>()
        .join(" ");
    fold(&joined)
}

fn push_term(terms: &mut Vec<Term>, words: Vec<String>, kind: Kind, needs_capital: bool) {
    if words.is_empty() || terms.iter().any(|t| t.words == words) {
        return;
    }
    terms.push(Term {
        words,
        kind,
        needs_capital,
    });
}

/// Folded words in order, duplicates kept.
fn words_of(s: &str) -> Vec<String> {
    fold(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn strip_legal_forms(words: &[String]) -> &[String] {
    let mut rest = words;
    'again: loop {
        for form in LEGAL_FORMS {
            if rest.len() > form.len() && rest.iter().zip(form.iter()).all(|(w, f)| w == f) {
                rest = &rest[form.len()..];
                continue 'again;
            }
        }
        return rest;
    }
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// Capitalised, or not a word of letters (a house number).
fn capitalised(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
}

// Words --------------------------------------------------------------------------------

/// A run of letters and digits (with their combining marks), folded.
#[derive(Debug, Clone)]
struct Word {
    start: usize,
    end: usize,
    folded: String,
    /// Inside an earlier marker: never part of a match.
    blocked: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Byte ranges of the markers already in the text.
fn mask_ranges(text: &str) -> Vec<(usize, usize)> {
    text.match_indices(MASK)
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

fn inside(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    ranges.iter().any(|(s, e)| start < *e && end > *s)
}

fn alnum_words(text: &str, blocked: &[(usize, usize)]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut push = |s: usize, e: usize| {
        out.push(Word {
            start: s,
            end: e,
            folded: fold(&text[s..e]),
            blocked: inside(blocked, s, e),
        })
    };
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push(s, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push(s, text.len());
    }
    out
}

/// Whether two words are close enough to belong to one name or address: at most a few
/// spaces or punctuation marks between them, no line break.
fn joined(text: &str, a: &Word, b: &Word) -> bool {
    let gap = &text[a.end..b.start];
    gap.chars().count() <= 4
        && gap.chars().all(|c| {
            (c.is_whitespace() && c != '\n') || matches!(c, ',' | '.' | '-' | '/' | '\'' | '’')
        })
}

/// Where the term starting at word `i` ends (byte offset), if it matches there.
fn match_term(
    text: &str,
    words: &[Word],
    i: usize,
    term: &Term,
    fillers: &[&str],
) -> Option<usize> {
    let first = &words[i];
    if first.blocked || first.folded != term.words[0] {
        return None;
    }
    let cap_ok = |w: &Word| !term.needs_capital || capitalised(&text[w.start..w.end]);
    if !cap_ok(first) {
        return None;
    }
    let mut at = i;
    for want in &term.words[1..] {
        let mut next = at + 1;
        loop {
            let w = words.get(next)?;
            if w.blocked || !joined(text, &words[next - 1], w) {
                return None;
            }
            if &w.folded == want {
                if !cap_ok(w) {
                    return None;
                }
                break;
            }
            if fillers.contains(&w.folded.as_str()) {
                next += 1;
                continue;
            }
            return None;
        }
        at = next;
    }
    // A match inside a longer word sequence is fine; inside a longer word is not (the
    // words are whole alphanumeric runs already).
    Some(words[at].end)
}

// Emails -------------------------------------------------------------------------------

/// Any letter or digit (an address glued to a word takes the word with it, so that
/// masking never splits a word), and the usual punctuation of local parts.
fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c) || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c) || matches!(c, '.' | '-')
}

/// Byte ranges of email addresses, also written `name [at] host` or `name(at)host`.
fn find_emails(text: &str) -> Vec<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let mut ats: Vec<(usize, usize)> = text.match_indices('@').map(|(i, _)| (i, i + 1)).collect();
    for pat in ["[at]", "(at)"] {
        for (i, _) in lower.match_indices(pat) {
            ats.push((i, i + pat.len()));
        }
    }
    ats.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (at_start, at_end) in ats {
        // Left: the local part, allowing one space before an "[at]".
        let mut left_end = at_start;
        if at_end - at_start > 1 && text[..left_end].ends_with(' ') {
            left_end -= 1;
        }
        let mut start = left_end;
        for (i, c) in text[..left_end].char_indices().rev() {
            if is_local_char(c) {
                start = i;
            } else {
                break;
            }
        }
        while start < left_end && text[start..].starts_with('.') {
            start += 1;
        }
        if start == left_end {
            continue;
        }
        // Right: the domain.
        let mut right_start = at_end;
        if at_end - at_start > 1 && text[right_start..].starts_with(' ') {
            right_start += 1;
        }
        let mut end = right_start;
        for (i, c) in text[right_start..].char_indices() {
            if is_domain_char(c) {
                end = right_start + i + c.len_utf8();
            } else {
                break;
            }
        }
        let domain = text[right_start..end].trim_end_matches(['.', '-']);
        let end = right_start + domain.len();
        let Some((_, tld)) = domain.rsplit_once('.') else {
            continue;
        };
        if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        if domain.starts_with(['.', '-']) {
            continue;
        }
        out.push((start, end));
    }
    out
}

// Numbers ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PieceKind {
    /// Digits grouped by `. - ( )` and perhaps a leading `+`.
    Numeric,
    /// A date: never masked, breaks a run.
    Date,
    /// A thousands-grouped amount: never masked, breaks a run.
    Money,
    /// Letters and digits together: a document number, a dossier code, a label.
    Code,
    Text,
}

/// A part of a whitespace-separated word, cut at `: ; , / | =`.
#[derive(Debug, Clone)]
struct Piece {
    start: usize,
    end: usize,
    kind: PieceKind,
    digits: String,
    plus: bool,
    /// Index of its word.
    word: usize,
    /// The first / last piece of its word, with nothing trimmed before / after it.
    opens_word: bool,
    closes_word: bool,
    /// A line break, an email or a marker in the space before its word.
    after_newline: bool,
}

const LEADING_TRIM: &[char] = &['"', '\'', '“', '‘', '«', '[', '{'];
const TRAILING_TRIM: &[char] = &[
    '.', ',', ';', ':', '!', '?', '…', '"', '\'', '”', '’', '»', ']', '}',
];

/// The pieces of every word of `text`. Emails and markers separate words like a line
/// break (no number runs across them), so that masking a text again finds the same
/// words around what was hidden.
fn pieces(text: &str, emails: &[(usize, usize)], blocked: &[(usize, usize)]) -> Vec<Piece> {
    let mut excluded: Vec<(usize, usize)> = emails.iter().chain(blocked).copied().collect();
    excluded.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(excluded.len());
    for (s, e) in excluded {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut next_excluded = 0;
    let mut out = Vec::new();
    let mut word_index = 0;
    let mut after_newline = false;
    let mut start: Option<usize> = None;
    let mut spans: Vec<(usize, usize, bool)> = Vec::new();
    for (i, c) in text.char_indices() {
        while next_excluded < merged.len() && merged[next_excluded].1 <= i {
            next_excluded += 1;
        }
        let hidden = merged.get(next_excluded).is_some_and(|(s, _)| *s <= i);
        if c.is_whitespace() || hidden {
            if let Some(s) = start.take() {
                spans.push((s, i, after_newline));
                after_newline = false;
            }
            if c == '\n' || hidden {
                after_newline = true;
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len(), after_newline));
    }
    for (s, e, nl) in spans {
        word_pieces(text, s, e, nl, word_index, emails, blocked, &mut out);
        word_index += 1;
    }
    out
}

/// `text[s..e]` without quotes and sentence punctuation around it; parentheses that pair
/// up stay.
fn trim_span(text: &str, s: usize, e: usize) -> (usize, usize) {
    let raw = &text[s..e];
    let mut lead = 0;
    for c in raw.chars() {
        let unpaired = c == '(' && !raw.contains(')');
        if LEADING_TRIM.contains(&c) || unpaired {
            lead += c.len_utf8();
        } else {
            break;
        }
    }
    let mut trail = raw.len();
    while trail > lead {
        let Some(c) = raw[lead..trail].chars().next_back() else {
            break;
        };
        let unpaired = c == ')'
            && raw[lead..trail].matches(')').count() > raw[lead..trail].matches('(').count();
        if TRAILING_TRIM.contains(&c) || unpaired {
            trail -= c.len_utf8();
        } else {
            break;
        }
    }
    (s + lead, s + trail.max(lead))
}

#[allow(clippy::too_many_arguments)]
fn word_pieces(
    text: &str,
    s: usize,
    e: usize,
    after_newline: bool,
    word: usize,
    emails: &[(usize, usize)],
    blocked: &[(usize, usize)],
    out: &mut Vec<Piece>,
) {
    let (ws, we) = trim_span(text, s, e);
    if ws >= we {
        return;
    }
    let word_text = &text[ws..we];
    let has_letter = |t: &str| t.chars().any(char::is_alphabetic);
    let has_digit = |t: &str| t.chars().any(|c| c.is_ascii_digit());
    // A date or a slashed document number is one piece, whatever its separators.
    let whole_kind = if is_date(word_text) {
        Some(PieceKind::Date)
    } else if word_text.contains('/') && has_letter(word_text) && has_digit(word_text) {
        Some(PieceKind::Code)
    } else {
        None
    };
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    if whole_kind.is_some() {
        cuts.push((ws, we));
    } else {
        let mut at = ws;
        for (i, c) in word_text.char_indices() {
            if matches!(c, ':' | ';' | ',' | '/' | '|' | '=') {
                cuts.push((at, ws + i));
                at = ws + i + c.len_utf8();
            }
        }
        cuts.push((at, we));
    }
    let n = cuts.len();
    for (k, (cs, ce)) in cuts.into_iter().enumerate() {
        let (ps, pe) = trim_span(text, cs, ce);
        if ps >= pe || inside(emails, ps, pe) || inside(blocked, ps, pe) {
            continue;
        }
        let t = &text[ps..pe];
        let kind = whole_kind.unwrap_or_else(|| piece_kind(t));
        out.push(Piece {
            start: ps,
            end: pe,
            kind,
            digits: t.chars().filter(char::is_ascii_digit).collect(),
            plus: kind == PieceKind::Numeric && t.trim_start_matches('(').starts_with('+'),
            word,
            opens_word: k == 0 && ps == s,
            closes_word: k == n - 1 && pe == e,
            after_newline,
        });
    }
}

fn piece_kind(t: &str) -> PieceKind {
    if t.contains('@') {
        // Not an address (those are found before), so not a number either.
        return PieceKind::Text;
    }
    let has_digit = t.chars().any(|c| c.is_ascii_digit());
    if t.chars().any(char::is_alphabetic) {
        return if has_digit {
            PieceKind::Code
        } else {
            PieceKind::Text
        };
    }
    if !has_digit {
        return PieceKind::Text;
    }
    let numeric = t.char_indices().all(|(i, c)| {
        c.is_ascii_digit()
            || matches!(c, '.' | '-' | '(' | ')')
            || (c == '+' && t[..i].chars().all(|p| p == '('))
    });
    if !numeric {
        return PieceKind::Text;
    }
    if is_date(t) {
        PieceKind::Date
    } else if is_money(t) {
        PieceKind::Money
    } else {
        PieceKind::Numeric
    }
}

/// Digit groups separated by one kind of separator.
fn groups(t: &str, sep: char) -> Option<Vec<&str>> {
    let parts: Vec<&str> = t.split(sep).collect();
    (parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())))
    .then_some(parts)
}

/// `12/03/2025`, `12-03-2025`, `12.03.2025`, `2025-03-12`, `03/2025`, `03.2025`.
fn is_date(t: &str) -> bool {
    let day = |s: &str| s.len() <= 2 && s.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d));
    let month = |s: &str| s.len() <= 2 && s.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    let year = |s: &str| s.len() == 4 && s.parse::<u32>().is_ok_and(|y| (1900..=2199).contains(&y));
    for sep in ['/', '-', '.'] {
        if let Some(g) = groups(t, sep) {
            match g.as_slice() {
                [d, m, y] if day(d) && month(m) && year(y) => return true,
                [y, m, d] if year(y) && month(m) && day(d) && sep == '-' => return true,
                [m, y] if month(m) && year(y) => return true,
                _ => {}
            }
        }
    }
    false
}

/// `1.500.000`, `15.000.000.000`: 1–3 digits then groups of three, not starting with 0.
fn is_money(t: &str) -> bool {
    let Some(g) = groups(t, '.') else {
        return false;
    };
    !g[0].starts_with('0') && g[0].len() <= 3 && g[1..].iter().all(|p| p.len() == 3)
}

/// Whether piece `b` continues a number begun by piece `a` (next word, on one line,
/// nothing but spaces between).
fn continues(a: &Piece, b: &Piece) -> bool {
    a.closes_word && b.opens_word && b.word == a.word + 1 && !b.after_newline
}

/// A number wrapped whole in parentheses, "(0983.570.009)", loses them (they are the
/// sentence's); an area code's, "(028) 3822 1234", stay with the number.
fn unwrap_parens(text: &str, start: usize, end: usize) -> (usize, usize) {
    let span = &text[start..end];
    match span.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        Some(inner) if !inner.contains(['(', ')']) => (start + 1, end - 1),
        _ => (start, end),
    }
}

/// A phone number's national form (`0` + digits) from its digits and leading `+`.
fn national(plus: bool, digits: &str) -> Option<String> {
    let from_cc = |rest: &str| {
        if rest.starts_with('0') {
            rest.to_string()
        } else {
            format!("0{rest}")
        }
    };
    let n = if plus {
        from_cc(digits.strip_prefix("84")?)
    } else if let Some(rest) = digits.strip_prefix("0084") {
        from_cc(rest)
    } else if digits.starts_with('0') {
        digits.to_string()
    } else if let Some(rest) = digits
        .strip_prefix("84")
        .filter(|r| r.len() == 9 || r.len() == 10)
    {
        format!("0{rest}")
    } else {
        return None;
    };
    is_phone(&n).then_some(n)
}

/// Mobiles `0[35789]` + 8 digits, landlines `02` + 9 digits, old mobiles `01[2689]` + 9.
fn is_phone(n: &str) -> bool {
    let b = n.as_bytes();
    match b {
        [b'0', b'3' | b'5' | b'7' | b'8' | b'9', ..] => b.len() == 10,
        [b'0', b'2', ..] => b.len() == 11,
        [b'0', b'1', b'2' | b'6' | b'8' | b'9', ..] => b.len() == 11,
        _ => false,
    }
}

/// What a run of digit groups is: a phone (with its national form) or an ID number.
fn classify(plus: bool, digits: &str, group_sizes: &[usize]) -> Option<(Kind, Option<String>)> {
    if let Some(n) = national(plus, digits) {
        return Some((Kind::Phone, Some(n)));
    }
    if plus {
        return None;
    }
    let id = match digits.len() {
        9 => group_sizes.len() == 1,
        // Not a list of years ("2024 2025 2026").
        12 => group_sizes.iter().all(|g| *g >= 3) && !all_years(digits, group_sizes),
        _ => false,
    };
    id.then_some((Kind::IdNumber, None))
}

fn all_years(digits: &str, group_sizes: &[usize]) -> bool {
    let mut at = 0;
    group_sizes.iter().all(|g| {
        let part = &digits[at..at + g];
        at += g;
        *g == 4
            && part
                .parse::<u32>()
                .is_ok_and(|y| (1900..=2199).contains(&y))
    })
}

/// Whether a run of numeric pieces is written as an amount in thousands: a first group
/// of one to three digits, then groups of exactly three ("1.000.000", "100.000.000.000").
fn thousands(run: &[Piece]) -> bool {
    run.len() >= 2
        && (1..=3).contains(&run[0].digits.len())
        && run[1..].iter().all(|p| p.digits.len() == 3)
}

/// Whether the word after piece `j` is a unit of money or measure ("đồng", "triệu"…).
fn followed_by_unit(text: &str, pieces: &[Piece], j: usize) -> bool {
    let Some(next) = pieces.get(j + 1) else {
        return false;
    };
    if next.word != pieces[j].word + 1 || next.after_newline {
        return false;
    }
    let t = &text[next.start..next.end];
    t == "%" || UNITS.contains(&fold(t).as_str())
}

/// Phone numbers (national forms) inside a code-like piece: a run of digits and phone
/// separators glued to a label (`SĐT0912345678`, `Zalo-0912345678`,
/// `Tel.0283.822.1234`). Other digits in codes are left alone.
fn phones_in_code(text: &str, p: &Piece) -> Vec<String> {
    let t = &text[p.start..p.end];
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut plus = false;
    let mut flush = |digits: &mut String, plus: &mut bool| {
        if let Some(n) = national(*plus, digits) {
            out.push(n);
        }
        digits.clear();
        *plus = false;
    };
    for c in t.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() => plus = true,
            '.' | '-' | '(' | ')' => {}
            _ => flush(&mut digits, &mut plus),
        }
    }
    flush(&mut digits, &mut plus);
    out
}

/// Numbers of 6 digits or more shortly after a word that announces an identifier.
fn find_id_context(
    text: &str,
    words: &[Word],
    pieces: &[Piece],
    blocked: &[(usize, usize)],
    out: &mut Vec<Finding>,
) {
    for i in 0..words.len() {
        for phrase in ID_CONTEXT {
            let end = i + phrase.len();
            if end > words.len()
                || !words[i..end]
                    .iter()
                    .zip(phrase.iter())
                    .all(|(w, p)| w.folded == *p)
            {
                continue;
            }
            let after = words[end - 1].end;
            let from = pieces.partition_point(|p| p.start < after);
            let Some(k) = pieces[from..]
                .iter()
                .take_while(|p| p.start - after <= ID_CONTEXT_WINDOW)
                .position(|p| matches!(p.kind, PieceKind::Numeric | PieceKind::Code))
                .map(|k| from + k)
            else {
                continue;
            };
            let p = &pieces[k];
            // A marker first: the identifier was hidden already.
            if blocked.iter().any(|(s, _)| *s >= after && *s < p.start) {
                continue;
            }
            if p.kind == PieceKind::Code {
                let t = &text[p.start..p.end];
                let letters = t.chars().filter(|c| c.is_alphabetic()).count();
                if t.chars().all(char::is_alphanumeric) && letters <= 2 && p.digits.len() >= 6 {
                    out.push(Finding {
                        kind: Kind::IdNumber,
                        start: p.start,
                        end: p.end,
                        given: false,
                    });
                }
                continue;
            }
            let mut j = k;
            let mut n = p.digits.len();
            while j + 1 < pieces.len()
                && pieces[j + 1].kind == PieceKind::Numeric
                && continues(&pieces[j], &pieces[j + 1])
            {
                j += 1;
                n += pieces[j].digits.len();
            }
            if n >= 6 && !(thousands(&pieces[k..=j]) && followed_by_unit(text, pieces, j)) {
                out.push(Finding {
                    kind: Kind::IdNumber,
                    start: p.start,
                    end: pieces[j].end,
                    given: false,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> PersonalData {
        PersonalData {
            full_name: Some("Nguyễn Thị Hoà".into()),
            organization: Some("Công ty TNHH Minh Phát".into()),
            representative: Some("Trần Văn Bình".into()),
            address: Some("12 Trần Hưng Đạo, phường Rạch Giá, tỉnh An Giang".into()),
            phone: Some("0983 570 009".into()),
            email: Some("hoa.nguyen@example.vn".into()),
            other: vec!["7K3M-9QXD-2F".into()],
        }
    }

    /// A corpus line: the text with what must be hidden between ⟦ and ⟧. Returns the
    /// input and the expected output.
    fn case(line: &str) -> (String, String) {
        let mut input = String::new();
        let mut expected = String::new();
        let mut rest = line;
        while let Some(open) = rest.find('⟦') {
            input.push_str(&rest[..open]);
            expected.push_str(&rest[..open]);
            let after = &rest[open + '⟦'.len_utf8()..];
            let close = after.find('⟧').expect("a closing ⟧");
            input.push_str(&after[..close]);
            expected.push_str(MASK);
            rest = &after[close + '⟧'.len_utf8()..];
        }
        input.push_str(rest);
        expected.push_str(rest);
        (input, expected)
    }

    fn corpus(text: &str) -> Vec<&str> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    }

    const MUST_MASK: &str = include_str!("../../tests/data/masking/must_mask.txt");
    const MUST_KEEP: &str = include_str!("../../tests/data/masking/must_keep.txt");

    #[test]
    fn the_must_mask_corpus_is_masked_exactly() {
        let m = Masker::new(&sender());
        let lines = corpus(MUST_MASK);
        assert!(lines.len() >= 30, "at least 30 texts: {}", lines.len());
        let mut failures = Vec::new();
        for line in &lines {
            assert!(
                line.contains('⟦'),
                "each must-mask line marks something: {line}"
            );
            let (input, expected) = case(line);
            let got = m.mask(&input);
            if got != expected {
                failures.push(format!(
                    "\n  input:    {input}\n  expected: {expected}\n  got:      {got}"
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:{}",
            failures.len(),
            failures.concat()
        );
    }

    #[test]
    fn the_must_keep_corpus_survives_unchanged() {
        let m = Masker::new(&sender());
        let lines = corpus(MUST_KEEP);
        assert!(lines.len() >= 30, "at least 30 texts: {}", lines.len());
        let mut failures = Vec::new();
        for line in &lines {
            let got = m.mask(line);
            if got != *line {
                failures.push(format!("\n  input: {line}\n  got:   {got}"));
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:{}",
            failures.len(),
            failures.concat()
        );
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        let m = Masker::new(&sender());
        for line in corpus(MUST_MASK).into_iter().chain(corpus(MUST_KEEP)) {
            let (input, _) = case(line);
            let once = m.mask(&input);
            assert_eq!(m.mask(&once), once, "{input}");
        }
    }

    #[test]
    fn nothing_to_hide_without_a_sender_keeps_names() {
        let m = Masker::new(&PersonalData::default());
        let text = "Bà Nguyễn Thị Hoà gọi 0912345678";
        assert_eq!(m.mask(text), format!("Bà Nguyễn Thị Hoà gọi {MASK}"));
    }

    #[test]
    fn nfd_input_is_masked_and_comes_out_nfc() {
        let m = Masker::new(&sender());
        let nfd: String = "Tôi là Nguyễn Thị Hoà, ở Rạch Giá".nfd().collect();
        assert_eq!(m.mask(&nfd), format!("Tôi là {MASK}, ở Rạch Giá"));
    }

    #[test]
    fn findings_tell_the_senders_own_details() {
        let m = Masker::new(&sender());
        let text = "Gọi 0983.570.009 hoặc 0912345678, thư hoa.nguyen@example.vn";
        let f = m.findings(text);
        let kinds: Vec<(Kind, bool, &str)> = f
            .iter()
            .map(|f| (f.kind, f.given, &text[f.start..f.end]))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (Kind::Phone, true, "0983.570.009"),
                (Kind::Phone, false, "0912345678"),
                (Kind::Email, true, "hoa.nguyen@example.vn"),
            ]
        );
    }

    #[test]
    fn organisation_names_lose_their_legal_form() {
        let m = Masker::new(&sender());
        assert_eq!(
            m.mask("Đại diện Minh Phát đã nộp hồ sơ"),
            format!("Đại diện {MASK} đã nộp hồ sơ")
        );
        // A one-word remainder of fewer than four letters is too common to hide.
        let short = Masker::new(&PersonalData {
            organization: Some("Công ty An".into()),
            ..Default::default()
        });
        assert_eq!(short.mask("an toàn lao động"), "an toàn lao động");
        assert_eq!(short.mask("Công ty An nộp"), format!("{MASK} nộp"));
    }

    #[test]
    fn a_given_name_alone_needs_an_honorific_and_a_capital() {
        let m = Masker::new(&sender());
        assert_eq!(m.mask("Bà Hoà đến nộp"), format!("Bà {MASK} đến nộp"));
        assert_eq!(m.mask("anh Bình"), format!("anh {MASK}"));
        assert_eq!(m.mask("hoà giải ở cơ sở"), "hoà giải ở cơ sở");
        assert_eq!(m.mask("bình thường"), "bình thường");
        assert_eq!(m.mask("Hoà đến nộp"), "Hoà đến nộp");
    }

    #[test]
    fn phone_national_forms() {
        assert_eq!(national(false, "0912345678").as_deref(), Some("0912345678"));
        assert_eq!(national(true, "84912345678").as_deref(), Some("0912345678"));
        assert_eq!(
            national(true, "840912345678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            national(false, "0084912345678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            national(false, "84912345678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            national(false, "02838221234").as_deref(),
            Some("02838221234")
        );
        assert_eq!(
            national(false, "01688123456").as_deref(),
            Some("01688123456")
        );
        assert_eq!(national(false, "0412345678"), None);
        assert_eq!(national(false, "19001234"), None);
        assert_eq!(national(true, "12025550100"), None);
    }

    #[test]
    fn dates_and_amounts_are_recognised() {
        for d in [
            "12/03/2025",
            "12-03-2025",
            "12.03.2025",
            "2025-03-12",
            "03/2025",
            "1/1/2026",
        ] {
            assert!(is_date(d), "{d}");
        }
        for d in ["32/03/2025", "12/13/2025", "0912.345.678", "2025.03.12"] {
            assert!(!is_date(d), "{d}");
        }
        for m in ["1.500.000", "15.000.000.000", "500.000"] {
            assert!(is_money(m), "{m}");
        }
        for m in ["0912.345.678", "1.5", "1.50.000", "028.3822.1234"] {
            assert!(!is_money(m), "{m}");
        }
    }

    #[test]
    fn a_number_never_runs_over_a_line_break_a_date_or_an_amount() {
        let m = Masker::new(&PersonalData::default());
        assert_eq!(m.mask("Số nhà 0912\n345 678"), "Số nhà 0912\n345 678");
        assert_eq!(
            m.mask("ngày 12.03.2025 0912 345 678"),
            format!("ngày 12.03.2025 {MASK}")
        );
        assert_eq!(
            m.mask("nộp 1.500.000 0912345678"),
            format!("nộp 1.500.000 {MASK}")
        );
        assert_eq!(m.mask("các năm 2024 2025 2026"), "các năm 2024 2025 2026");
        assert_eq!(
            m.mask("Tôi sinh năm 1985, CCCD 079185001234 cấp ngày 10/10/2021"),
            format!("Tôi sinh năm 1985, CCCD {MASK} cấp ngày 10/10/2021")
        );
    }

    #[test]
    fn arbitrary_text_never_panics_and_masking_is_idempotent() {
        // A deterministic stream of awkward pieces: digits, separators, parentheses,
        // plus signs, at-signs, markers, combining marks, line breaks, names.
        const PARTS: &[&str] = &[
            "0", "9", "84", "+", "(", ")", ".", "-", "/", ",", ":", " ", "\n", "@", "[at]", "(at)",
            "đ", "Đ", "\u{0301}", "a", "Hoà", "bà ", "CCCD ", "số ", "2025", "12", "0912", "345",
            "678", "x.vn", MASK, "[", "]", "…", "đồng", "NĐ-CP", "H01",
        ];
        let m = Masker::new(&sender());
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut text = String::new();
            let len = (seed >> 59) as usize + 1;
            for _ in 0..len * 3 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push_str(PARTS[(seed >> 33) as usize % PARTS.len()]);
            }
            let once = m.mask(&text);
            assert_eq!(m.mask(&once), once, "{text:?}");
        }
    }

    #[test]
    fn search_text_folds_without_markers() {
        assert_eq!(
            search_text(&["Thủ tục", &format!("của {MASK} về BHXH"), "Đã trả lời"]),
            "thu tuc cua ve bhxh da tra loi"
        );
    }
}
