//! The new text of a reply by mail: quoted history, attribution lines and
//! signatures cut off ([`trim_reply`]), HTML bodies reduced to safe plain text
//! ([`html_to_text`], and [`html_new_text`] with the quoted history of Gmail,
//! Outlook, Thunderbird and Apple Mail cut off), and `format=flowed` text
//! joined back into its paragraphs ([`unflow`]).
//!
//! Pure string work: no I/O, no mail parsing (the caller decodes the MIME).

/// Cuts a plain-text reply down to its new text. Removed: every `>`-quoted
/// line; attribution lines ("On ... wrote:", "Vào ... đã viết:") above
/// quoted lines (a reply written below the quote stays); everything from
/// an Outlook header block ("From: / Sent: / To: / Subject:", also in
/// Vietnamese), a "-----Original Message-----" line or an attribution with
/// unquoted history after it on; the signature after a "-- " line; and
/// trailing phone signatures ("Sent from my iPhone", "Gửi từ iPhone của
/// tôi", "Get Outlook for Android", ...). A forwarded message ("----------
/// Forwarded message ---------") is kept whole.
///
/// If nothing would be left, returns the text with only its `>`-quoted lines
/// removed, and if that is empty too, the original text.
pub fn trim_reply(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.lines().collect();
    let (cut, attribution) = history(&lines);
    let mut kept: Vec<&str> = lines[..cut]
        .iter()
        .enumerate()
        .filter(|(i, l)| !is_quoted(l) && !attribution[*i])
        .map(|(_, l)| *l)
        .collect();
    if let Some(sig) = kept.iter().position(|l| is_sig_separator(l)) {
        kept.truncate(sig);
    }
    drop_trailing_phone_signatures(&mut kept);
    let trimmed = join_lines(&kept);
    if !trimmed.is_empty() {
        return trimmed;
    }
    let unquoted: Vec<&str> = lines.iter().copied().filter(|l| !is_quoted(l)).collect();
    let unquoted = join_lines(&unquoted);
    if !unquoted.is_empty() {
        return unquoted;
    }
    text.to_string()
}

/// Where unquoted history starts (everything from there on goes), and which
/// lines are attributions of `>`-quoted history (only they go, with the
/// quoted lines: a reply written below the quote stays).
fn history(lines: &[&str]) -> (usize, Vec<bool>) {
    let mut attribution = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if is_forward_marker(lines[i]) {
            break;
        }
        if outlook_block_at(lines, i) || is_original_message(lines[i]) {
            return (i, attribution);
        }
        if let Some(n) = attribution_at(lines, i) {
            if !next_content_is_quoted(lines, i + n) {
                return (i, attribution);
            }
            attribution[i..i + n].fill(true);
            i += n;
            continue;
        }
        i += 1;
    }
    (lines.len(), attribution)
}

/// A line of quoted text (`>` after optional spaces).
fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The usenet signature separator "-- " (also without its trailing space,
/// which many clients strip).
fn is_sig_separator(line: &str) -> bool {
    line == "-- " || line.trim_end() == "--"
}

/// Joins lines with trailing whitespace trimmed, at most one blank line in a
/// row, and no blank lines at either end.
fn join_lines(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut blank_run = 0;
    for line in lines {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// The folded form used for comparing markers: NFC is the caller's business,
/// this only lower-cases and trims (and drops the `*` of Outlook's bold).
fn marker_key(line: &str) -> String {
    line.trim().trim_matches('*').trim().to_lowercase()
}

/// "On ... wrote:" / "Vào ... đã viết:" starting at line `i`, possibly
/// wrapped over up to three lines (Gmail wraps long attributions), or any
/// line ending with "wrote:" / "viết:" that a `>`-quoted line follows: the
/// number of lines it spans.
fn attribution_at(lines: &[&str], i: usize) -> Option<usize> {
    let first = marker_key(lines[i]);
    if is_quoted(&first) {
        return None;
    }
    let opens = first.starts_with("on ") || first.starts_with("vào ") || first.starts_with("lúc ");
    if opens {
        let mut joined = first.clone();
        for (n, next) in lines.iter().skip(i + 1).take(2).enumerate() {
            if ends_attribution(&joined) && names_time_or_address(&joined) {
                return Some(n + 1);
            }
            joined.push(' ');
            joined.push_str(&marker_key(next));
        }
        if ends_attribution(&joined) && names_time_or_address(&joined) {
            return Some(lines.len().min(i + 3) - i);
        }
    }
    (ends_attribution(&first) && next_content_is_quoted(lines, i + 1)).then_some(1)
}

/// An attribution names a time ("10:15") or an address: so a sentence
/// such as "Vào ngày 20/11 tôi đã gửi đơn, trong đó tôi đã viết:" is none.
fn names_time_or_address(key: &str) -> bool {
    let bytes = key.as_bytes();
    key.contains('@')
        || bytes.windows(4).any(|w| {
            w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
        })
}

fn ends_attribution(key: &str) -> bool {
    key.ends_with("wrote:") || key.ends_with("viết:") || key.ends_with("viết :")
}

fn next_content_is_quoted(lines: &[&str], from: usize) -> bool {
    lines
        .iter()
        .skip(from)
        .find(|l| !l.trim().is_empty())
        .is_none_or(|l| is_quoted(l))
}

/// The start of a forwarded message ("---------- Forwarded message
/// ---------", "Begin forwarded message:", Vietnamese Gmail's "Thư đã chuyển
/// tiếp"): what follows is what the sender passes on, not history, so it
/// stays (and nothing after it is taken for history).
fn is_forward_marker(line: &str) -> bool {
    let key = marker_key(line);
    let inner = key.trim_matches(|c: char| c == '-' || c.is_whitespace());
    matches!(
        inner,
        "forwarded message"
            | "begin forwarded message:"
            | "thư đã chuyển tiếp"
            | "thư chuyển tiếp"
            | "bắt đầu thư được chuyển tiếp:"
    )
}

/// "-----Original Message-----" and its Vietnamese forms.
fn is_original_message(line: &str) -> bool {
    let key = marker_key(line);
    if !key.starts_with("--") {
        return false;
    }
    let inner = key.trim_matches(|c: char| c == '-' || c.is_whitespace());
    matches!(
        inner,
        "original message" | "thư gốc" | "tin nhắn gốc" | "thông điệp gốc" | "message d'origine"
    )
}

/// Outlook's header block: a "From:" line with "Sent:"/"Date:" and
/// "To:"/"Subject:" lines right below it (Vietnamese Outlook: "Từ:",
/// "Đã gửi:"/"Gửi:"/"Ngày:", "Đến:"/"Tới:"/"Chủ đề:"). A line of
/// underscores just above (Outlook on the web) belongs to the block.
fn outlook_block_at(lines: &[&str], i: usize) -> bool {
    if !is_underscore_rule(&marker_key(lines[i])) {
        return from_block_at(lines, i);
    }
    lines
        .iter()
        .enumerate()
        .skip(i + 1)
        .find(|(_, l)| !l.trim().is_empty())
        .is_some_and(|(j, _)| from_block_at(lines, j))
}

/// The "From:" line of Outlook's header block at line `i`.
fn from_block_at(lines: &[&str], i: usize) -> bool {
    let key = marker_key(lines[i]);
    if !(key.starts_with("from:") || key.starts_with("từ:")) {
        return false;
    }
    let below: Vec<String> = lines
        .iter()
        .skip(i + 1)
        .take(6)
        .map(|l| marker_key(l))
        .collect();
    let has = |prefixes: &[&str]| {
        below
            .iter()
            .any(|l| prefixes.iter().any(|p| l.starts_with(p)))
    };
    has(&[
        "sent:",
        "date:",
        "đã gửi:",
        "gửi:",
        "ngày:",
        "ngày gửi:",
        "thời gian:",
    ]) && has(&[
        "to:",
        "subject:",
        "đến:",
        "tới:",
        "chủ đề:",
        "tiêu đề:",
        "cc:",
    ])
}

fn is_underscore_rule(key: &str) -> bool {
    key.len() >= 10 && key.chars().all(|c| c == '_')
}

/// Removes blank lines and phone/app signatures from the end.
fn drop_trailing_phone_signatures(lines: &mut Vec<&str>) {
    while let Some(last) = lines.last() {
        if last.trim().is_empty() || is_phone_signature(last) {
            lines.pop();
        } else {
            break;
        }
    }
}

/// "Sent from my iPhone", "Gửi từ iPhone của tôi", "Get Outlook for iOS" and
/// the like: short lines only, so a sentence that happens to start the same
/// way is left alone.
fn is_phone_signature(line: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "sent from my ",
        "sent from mail for windows",
        "sent from yahoo mail",
        "sent from outlook",
        "sent from samsung",
        "sent from the all new aol app",
        "sent with proton mail",
        "get outlook for ",
        "gửi từ iphone",
        "gửi từ ipad",
        "gửi từ điện thoại",
        "gửi từ thiết bị",
        "gửi từ outlook",
        "gửi từ thư cho windows",
        "gửi từ mail cho windows",
        "gửi từ yahoo mail",
        "được gửi từ iphone",
        "được gửi từ điện thoại",
        "tải outlook cho ",
        "tải xuống outlook cho ",
        "nhận outlook cho ",
    ];
    let key = marker_key(line);
    key.chars().count() <= 80 && PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Joins `format=flowed` text (RFC 3676) back into paragraphs: a line ending
/// with a space continues on the next line of the same quote depth (with
/// `delsp=yes` that space is removed), space-stuffing is undone, and the
/// "-- " signature separator is never joined.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for raw in text.replace("\r\n", "\n").split('\n') {
        let depth = raw.chars().take_while(|&c| c == '>').count();
        let body = &raw[depth..];
        let body = body.strip_prefix(' ').unwrap_or(body);
        let flowed = body.ends_with(' ') && body != "-- ";
        let mut current = match open.take() {
            Some((d, acc)) if d == depth => acc,
            Some((d, acc)) => {
                out.push(quote_prefix(d, &acc));
                String::new()
            }
            None => String::new(),
        };
        if flowed && delsp {
            current.push_str(&body[..body.len() - 1]);
        } else {
            current.push_str(body);
        }
        if flowed {
            open = Some((depth, current));
        } else {
            out.push(quote_prefix(depth, &current));
        }
    }
    if let Some((d, acc)) = open {
        out.push(quote_prefix(d, &acc));
    }
    out.join("\n")
}

fn quote_prefix(depth: usize, body: &str) -> String {
    if depth == 0 {
        body.to_string()
    } else {
        format!("{} {}", ">".repeat(depth), body)
    }
}

/// Reduces HTML to plain text, everything included.
pub fn html_to_text(html: &str) -> String {
    render(html, false)
}

/// Reduces HTML to plain text with the quoted history cut off: Gmail's
/// `gmail_quote` (and its `gmail_signature`), Outlook's
/// `divRplyFwdMsg`/`appendonsend` (and all after it), Thunderbird's
/// `moz-cite-prefix` and `<blockquote type="cite">` (also Apple Mail's),
/// Yahoo's `yahoo_quoted`.
pub fn html_new_text(html: &str) -> String {
    render(html, true)
}

/// One piece of HTML.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Text(&'a str),
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End(String),
}

/// A small HTML tokenizer: text, start tags with attributes, end tags;
/// comments, doctypes and processing instructions are skipped, and the
/// content of `script`/`style` is skipped whole.
struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str) -> Self {
        Self { src, pos: 0 }
    }

    /// Skips to just after `needle` (ASCII, case-insensitive), or to the end.
    fn skip_past(&mut self, needle: &str) {
        let hay = &self.src.as_bytes()[self.pos..];
        let needle = needle.as_bytes();
        self.pos = match hay
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
        {
            Some(i) => self.pos + i + needle.len(),
            None => self.src.len(),
        };
    }

    fn tag(&mut self) -> Option<Token<'a>> {
        let rest = &self.src[self.pos..];
        if rest.starts_with("<!--") {
            self.pos += 4;
            self.skip_past("-->");
            return None;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            self.skip_past(">");
            return None;
        }
        let closing = rest.starts_with("</");
        let start = self.pos + if closing { 2 } else { 1 };
        let end = tag_end(self.src, start);
        let inner = &self.src[start..end];
        self.pos = (end + 1).min(self.src.len());
        let (name, attrs) = parse_tag(inner);
        if closing {
            return Some(Token::End(name));
        }
        if name == "script" || name == "style" {
            self.skip_past(&format!("</{name}"));
            self.skip_past(">");
        }
        Some(Token::Start { name, attrs })
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        while self.pos < self.src.len() {
            let rest = &self.src[self.pos..];
            if starts_tag(rest) {
                match self.tag() {
                    Some(t) => return Some(t),
                    None => continue,
                }
            }
            let len = next_tag_offset(rest).unwrap_or(rest.len());
            self.pos += len;
            return Some(Token::Text(&rest[..len]));
        }
        None
    }
}

/// Whether `s` starts with markup (`<a`, `</a`, `<!`, `<?`) rather than a
/// literal `<`.
fn starts_tag(s: &str) -> bool {
    let mut chars = s.chars();
    if chars.next() != Some('<') {
        return false;
    }
    match chars.next() {
        Some('/') => chars.next().is_some_and(|c| c.is_ascii_alphabetic()),
        Some('!') | Some('?') => true,
        Some(c) => c.is_ascii_alphabetic(),
        None => false,
    }
}

/// Offset of the next markup in `s` after its first character.
fn next_tag_offset(s: &str) -> Option<usize> {
    s.char_indices()
        .skip(1)
        .find(|&(i, c)| c == '<' && starts_tag(&s[i..]))
        .map(|(i, _)| i)
}

/// The index of the `>` closing a tag whose inside starts at `from`,
/// honouring quoted attribute values.
fn tag_end(src: &str, from: usize) -> usize {
    let mut quote: Option<u8> = None;
    for (i, b) in src.bytes().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"') | (None, b'\'') => quote = Some(b),
            (None, b'>') => return i,
            _ => {}
        }
    }
    src.len()
}

/// The lower-cased name and attributes of a tag's inside (`a href="x"`).
fn parse_tag(inner: &str) -> (String, Vec<(String, String)>) {
    let inner = inner.trim_end_matches('/');
    let name_len = inner
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = inner[name_len..].trim_start_matches(|c: char| c.is_whitespace() || c == '/');
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let key = rest[..key_len].to_ascii_lowercase();
        rest = rest[key_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let (v, r) = attr_value(after.trim_start());
            value = decode_entities(v);
            rest = r;
        }
        if !key.is_empty() {
            attrs.push((key, value));
        }
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
    }
    (name, attrs)
}

/// One attribute value (quoted or not) and what follows it.
fn attr_value(s: &str) -> (&str, &str) {
    for q in ['"', '\''] {
        if let Some(body) = s.strip_prefix(q) {
            return match body.find(q) {
                Some(end) => (&body[..end], &body[end + 1..]),
                None => (body, ""),
            };
        }
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// Elements that break the line before and after them.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "hr"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "address"
            | "dd"
            | "dt"
            | "dl"
            | "center"
            | "form"
            | "fieldset"
            | "body"
            | "html"
    )
}

/// What to do with quoted history met in [`render`].
#[derive(Debug, PartialEq)]
enum Cut {
    /// Keep it.
    No,
    /// Skip this element and what it holds.
    Element,
    /// Stop: everything from here on is history.
    Rest,
}

fn attr<'t>(attrs: &'t [(String, String)], key: &str) -> Option<&'t str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Whether a start tag opens quoted history.
fn quoted_history(name: &str, attrs: &[(String, String)]) -> Cut {
    let class = attr(attrs, "class").unwrap_or("");
    let has_class = |c: &str| class.split_whitespace().any(|x| x == c);
    let id = attr(attrs, "id").unwrap_or("");
    if id == "divRplyFwdMsg" || id == "appendonsend" {
        return Cut::Rest;
    }
    if has_class("gmail_quote")
        || has_class("gmail_attr")
        || has_class("gmail_quote_container")
        || has_class("moz-cite-prefix")
        || has_class("yahoo_quoted")
        || has_class("gmail_signature")
        || has_class("gmail_signature_prefix")
    {
        return Cut::Element;
    }
    if name == "blockquote" && attr(attrs, "type").is_some_and(|t| t.eq_ignore_ascii_case("cite")) {
        return Cut::Element;
    }
    Cut::No
}

/// Plain text being written, with whitespace collapsed as HTML does.
#[derive(Default)]
struct Out {
    text: String,
    pending_space: bool,
    pre: usize,
    links: Vec<Option<(String, usize)>>,
}

impl Out {
    fn at_line_start(&self) -> bool {
        self.text.is_empty() || self.text.ends_with('\n')
    }

    fn newline(&mut self) {
        self.pending_space = false;
        if !self.at_line_start() {
            self.text.push('\n');
        }
    }

    fn hard_break(&mut self) {
        self.pending_space = false;
        self.text.push('\n');
    }

    fn words(&mut self, decoded: &str) {
        if self.pre > 0 {
            self.text.push_str(decoded);
            return;
        }
        for (i, piece) in decoded
            .split(|c: char| c.is_whitespace() && c != '\u{a0}')
            .enumerate()
        {
            if i > 0 {
                self.pending_space = true;
            }
            if piece.is_empty() {
                continue;
            }
            if self.pending_space && !self.at_line_start() {
                self.text.push(' ');
            }
            self.pending_space = false;
            self.text.push_str(&piece.replace('\u{a0}', " "));
        }
    }

    fn open_link(&mut self, href: Option<&str>) {
        let href = href
            .map(str::trim)
            .filter(|h| {
                let lower = h.to_ascii_lowercase();
                lower.starts_with("http://") || lower.starts_with("https://")
            })
            .map(|h| (h.to_string(), self.text.len()));
        self.links.push(href);
    }

    fn close_link(&mut self) {
        if let Some(Some((href, from))) = self.links.pop() {
            let shown = self.text.get(from..).unwrap_or("").trim().to_string();
            if shown.is_empty() {
                self.words(&href);
            } else if shown != href && shown.trim_end_matches('/') != href.trim_end_matches('/') {
                self.text.push_str(&format!(" ({href})"));
            }
        }
    }
}

/// The walk over the tokens behind [`html_to_text`] and [`html_new_text`].
fn render(html: &str, cut_history: bool) -> String {
    let mut out = Out::default();
    let mut skip: Option<(String, usize)> = None;
    for token in Tokenizer::new(html) {
        if let Some((name, depth)) = skip.as_mut() {
            if name == "head" && matches!(&token, Token::Start { name, .. } if name == "body") {
                skip = None;
                continue;
            }
            match &token {
                Token::Start { name: n, .. } if n == name && !is_void(n) => *depth += 1,
                Token::End(n) if n == name => *depth -= 1,
                _ => {}
            }
            if *depth == 0 {
                skip = None;
            }
            continue;
        }
        match token {
            Token::Text(t) => out.words(&decode_entities(t)),
            Token::Start { name, attrs } => {
                if name == "head" || name == "title" || name == "template" {
                    skip = Some((name, 1));
                    continue;
                }
                if cut_history {
                    match quoted_history(&name, &attrs) {
                        Cut::Rest => break,
                        Cut::Element if !is_void(&name) => {
                            skip = Some((name, 1));
                            continue;
                        }
                        _ => {}
                    }
                }
                start_tag(&mut out, &name, &attrs);
            }
            Token::End(name) => end_tag(&mut out, &name),
        }
    }
    finish(&out.text)
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "hr" | "img" | "meta" | "link" | "input" | "area" | "base" | "col" | "wbr"
    )
}

fn start_tag(out: &mut Out, name: &str, attrs: &[(String, String)]) {
    match name {
        "br" => out.hard_break(),
        "a" => out.open_link(attr(attrs, "href")),
        "pre" => {
            out.newline();
            out.pre += 1;
        }
        "li" => {
            out.newline();
            out.text.push_str("- ");
        }
        "td" | "th" => out.pending_space = true,
        n if is_block(n) => out.newline(),
        _ => {}
    }
}

fn end_tag(out: &mut Out, name: &str) {
    match name {
        "a" => out.close_link(),
        "pre" => {
            out.pre = out.pre.saturating_sub(1);
            out.newline();
        }
        n if is_block(n) => out.newline(),
        _ => {}
    }
}

/// Trims the end of every line (the start has no collapsible space left,
/// only `<pre>` indentation), keeps at most one blank line in a row, and
/// drops blank lines at both ends.
fn finish(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    join_lines(&lines)
}

/// Decodes character references: the named ones mail clients use and the
/// numeric ones (`&#7879;`, `&#x1EC7;`); an invalid number becomes U+FFFD,
/// an unknown name is left as it is.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|i| i + 1)
            .unwrap_or(rest.len());
        let name = &rest[1..end];
        match entity(name) {
            Some(c) => {
                out.push(c);
                rest = &rest[end..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference names (without `&` and `;`).
fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let code = u32::from_str_radix(digits, radix).ok();
        return Some(
            code.and_then(char::from_u32)
                .filter(|&c| c != '\0')
                .unwrap_or('\u{fffd}'),
        );
    }
    NAMED.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("bull", '•'),
    ("middot", '·'),
    ("deg", '°'),
    ("times", '×'),
    ("euro", '€'),
    ("shy", '\u{ad}'),
    ("zwnj", '\u{200c}'),
    ("zwj", '\u{200d}'),
    ("Agrave", 'À'),
    ("Aacute", 'Á'),
    ("Acirc", 'Â'),
    ("Atilde", 'Ã'),
    ("Egrave", 'È'),
    ("Eacute", 'É'),
    ("Ecirc", 'Ê'),
    ("Igrave", 'Ì'),
    ("Iacute", 'Í'),
    ("Ograve", 'Ò'),
    ("Oacute", 'Ó'),
    ("Ocirc", 'Ô'),
    ("Otilde", 'Õ'),
    ("Ugrave", 'Ù'),
    ("Uacute", 'Ú'),
    ("Yacute", 'Ý'),
    ("agrave", 'à'),
    ("aacute", 'á'),
    ("acirc", 'â'),
    ("atilde", 'ã'),
    ("egrave", 'è'),
    ("eacute", 'é'),
    ("ecirc", 'ê'),
    ("igrave", 'ì'),
    ("iacute", 'í'),
    ("ograve", 'ò'),
    ("oacute", 'ó'),
    ("ocirc", 'ô'),
    ("otilde", 'õ'),
    ("ugrave", 'ù'),
    ("uacute", 'ú'),
    ("yacute", 'ý'),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_attribution_wrapped_over_two_lines() {
        let text = "Tôi đồng ý với phương án xử lý.\n\n\
            Vào Th 5, 3 thg 12, 2026 lúc 10:15 Sở Nội vụ tỉnh <pakn@so.example.gov.vn>\n\
            đã viết:\n\n> Kính gửi ông Nguyễn Văn An,\n> Sở đã tiếp nhận phản ánh.\n";
        assert_eq!(trim_reply(text), "Tôi đồng ý với phương án xử lý.");
    }

    #[test]
    fn english_attribution_and_crlf() {
        let text = "Cảm ơn Sở.\r\n\r\nOn Thu, Dec 3, 2026 at 10:15 AM Sở Nội vụ <pakn@so.example.gov.vn> wrote:\r\n> Mã tra cứu PAKN-2026-001234.\r\n";
        assert_eq!(trim_reply(text), "Cảm ơn Sở.");
    }

    #[test]
    fn reply_below_the_quote_stays() {
        let text = "On 03/12/2026 10:15, Sở Nội vụ tỉnh wrote:\n> Đề nghị bổ sung giấy tờ.\n\n\
            Tôi đã nộp bổ sung tại Bộ phận một cửa.\n";
        assert_eq!(trim_reply(text), "Tôi đã nộp bổ sung tại Bộ phận một cửa.");
    }

    #[test]
    fn interleaved_answers_stay() {
        let text =
            "> Ông/bà nộp hồ sơ ngày nào?\nNgày 20/11/2026.\n> Tại đâu?\nTại UBND phường Hải Châu.";
        assert_eq!(
            trim_reply(text),
            "Ngày 20/11/2026.\nTại UBND phường Hải Châu."
        );
    }

    #[test]
    fn outlook_header_block_in_english_and_vietnamese() {
        let en = "Đã nhận, xin cảm ơn.\n\nFrom: Sở Nội vụ tỉnh <pakn@so.example.gov.vn> \nSent: Thursday, December 3, 2026 10:15 AM\nTo: Trần Thị Bích <ttbich@stnmt.example.gov.vn>\nSubject: [PAKN-2026-001234] Chuyển xử lý\n\nKính gửi Sở TN&MT,\n";
        assert_eq!(trim_reply(en), "Đã nhận, xin cảm ơn.");
        let vi = "Đã nhận, xin cảm ơn.\n\n________________________________\nTừ: Sở Nội vụ tỉnh <pakn@so.example.gov.vn>\nĐã gửi: Thứ Năm, 3 tháng 12, 2026 10:15\nĐến: Trần Thị Bích\nChủ đề: [PAKN-2026-001234] Chuyển xử lý\n\nKính gửi Sở TN&MT,\n";
        assert_eq!(trim_reply(vi), "Đã nhận, xin cảm ơn.");
        let bold = "Đồng ý.\n\n*From:* Sở Nội vụ tỉnh\n*Sent:* Thursday, December 3, 2026\n*To:* Bích\n*Subject:* Chuyển xử lý\n";
        assert_eq!(trim_reply(bold), "Đồng ý.");
    }

    #[test]
    fn forwarded_messages_stay() {
        let text = "Kính gửi Sở, tôi chuyển thư của phường.\n\n---------- Forwarded message ---------\n\
            From: UBND phường <ubnd@phuong.example.gov.vn>\nDate: Thu, Dec 3, 2026 at 9:00 AM\n\
            Subject: Trả lời đơn\nTo: <congdan@example.vn>\n\nPhường đã nhận đơn.";
        assert_eq!(trim_reply(text), text);
    }

    #[test]
    fn many_rules_are_cheap() {
        let text = "Nội dung.\n".to_string() + &"__________\n".repeat(200_000);
        assert_eq!(
            trim_reply(&text),
            text.lines().collect::<Vec<_>>().join("\n")
        );
        let html = "<!-- x -->".repeat(100_000) + "<script>" + &"x".repeat(100_000) + "Hết.";
        assert_eq!(html_to_text(&html), "");
        assert_eq!(
            html_to_text("<html><head><title>T</title><meta charset=utf-8><body>Thân thư."),
            "Thân thư."
        );
    }

    #[test]
    fn zimbra_and_yahoo_history() {
        let zimbra = "Đã chuyển phòng chuyên môn.\n\n----- Original Message -----\nFrom: \"Sở Nội vụ\" <pakn@so.example.gov.vn>\nTo: \"vtdat\" <vtdat@hoavang.example.gov.vn>\nSent: Thursday, December 3, 2026 10:15:00 AM\nSubject: Chuyển xử lý\n\nNội dung cũ.";
        assert_eq!(trim_reply(zimbra), "Đã chuyển phòng chuyên môn.");
        let zimbra_vi = "Đã nhận.\n\n----- Thư gốc -----\nTừ: \"Sở Nội vụ\"\nNội dung cũ.";
        assert_eq!(trim_reply(zimbra_vi), "Đã nhận.");
        let yahoo = "Tôi vẫn chưa nhận được kết quả.\n\nOn Thursday, December 3, 2026 at 10:15:00 AM GMT+7, Sở Nội vụ <pakn@so.example.gov.vn> wrote:\n\n\nKính gửi bà Nguyễn Thị Mai,\nSở đã tiếp nhận.";
        assert_eq!(trim_reply(yahoo), "Tôi vẫn chưa nhận được kết quả.");
    }

    #[test]
    fn a_from_line_alone_is_text() {
        let text = "From: tổ dân phố 5\nChúng tôi phản ánh việc xả rác.";
        assert_eq!(trim_reply(text), text);
    }

    #[test]
    fn original_message_separator() {
        let text = "Đề nghị chuyển Sở Xây dựng.\n\n-----Original Message-----\nFrom: pakn@so.example.gov.vn\nPhản ánh cũ.";
        assert_eq!(trim_reply(text), "Đề nghị chuyển Sở Xây dựng.");
        let vi = "Đồng ý.\n----- Thư gốc -----\nNội dung cũ.";
        assert_eq!(trim_reply(vi), "Đồng ý.");
    }

    #[test]
    fn signatures() {
        let dash = "Xin cảm ơn.\n\n-- \nLê Thị Hoa\n0905 123 456\n";
        assert_eq!(trim_reply(dash), "Xin cảm ơn.");
        let iphone = "Tôi đồng ý.\n\nSent from my iPhone\n\n> On 3 Dec 2026, at 10:15, Sở Nội vụ <pakn@so.example.gov.vn> wrote:\n> \n> Kết quả giải quyết.";
        assert_eq!(trim_reply(iphone), "Tôi đồng ý.");
        let vi = "Tôi đồng ý.\n\nGửi từ iPhone của tôi";
        assert_eq!(trim_reply(vi), "Tôi đồng ý.");
        let outlook = "Đã nhận.\n\nGet Outlook for Android";
        assert_eq!(trim_reply(outlook), "Đã nhận.");
        let ios = "Đã nhận.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>";
        assert_eq!(trim_reply(ios), "Đã nhận.");
    }

    #[test]
    fn sentences_that_look_like_markers_stay() {
        let text = "Gửi từ ngày 01/12/2026, tôi đã nhiều lần liên hệ UBND phường nhưng không được trả lời.\n\
            Vào ngày 20/11 tôi đã gửi đơn, trong đó tôi đã viết:\n\
            đề nghị kiểm tra việc xây dựng trái phép tại tổ 5.";
        assert_eq!(trim_reply(text), text);
        let trailing = "Tôi xin trình bày như sau.\nGửi từ điện thoại của con tôi vì tôi không biết dùng máy tính, mong Sở thông cảm và sớm giải quyết.";
        assert_eq!(trim_reply(trailing), trailing);
    }

    #[test]
    fn falls_back_when_nothing_is_left() {
        let only_quote = "> Kính gửi ông/bà,\n> Sở đã tiếp nhận.";
        assert_eq!(trim_reply(only_quote), only_quote);
        let attribution_only = "On Thu, Dec 3, 2026 at 10:15 AM Sở Nội vụ <pakn@so.example.gov.vn> wrote:\n> Đã tiếp nhận.";
        assert_eq!(
            trim_reply(attribution_only),
            "On Thu, Dec 3, 2026 at 10:15 AM Sở Nội vụ <pakn@so.example.gov.vn> wrote:"
        );
        assert_eq!(trim_reply(""), "");
    }

    #[test]
    fn blank_lines_collapse() {
        assert_eq!(
            trim_reply("\n\nDòng một.\n\n\n\nDòng hai.   \n\n"),
            "Dòng một.\n\nDòng hai."
        );
    }

    #[test]
    fn unflow_joins_soft_breaks() {
        let flowed = "Tôi xin gửi bổ sung thông tin về thửa đất, \nthửa số 125.\n>Đề nghị bà bổ \n>sung.\n \nFrom đây.\n-- \nHoa";
        assert_eq!(
            unflow(flowed, false),
            "Tôi xin gửi bổ sung thông tin về thửa đất, thửa số 125.\n> Đề nghị bà bổ sung.\n\nFrom đây.\n-- \nHoa"
        );
        assert_eq!(unflow("Hồ sơ số \n125.", true), "Hồ sơ số125.");
    }

    #[test]
    fn html_blocks_breaks_and_entities() {
        let html = "<!DOCTYPE html><html><head><title>Thư</title><style>p{color:red}</style></head>\
            <body><div>Kính gửi Sở Nội vụ,</div><div><br></div>\
            <p>Tôi phản ánh việc chậm trả kết quả&nbsp;hồ&#32;sơ tại phường Hải Ch&acirc;u, \
            mức phí 2.000&nbsp;đồng &amp; lệ phí kh&#225;c &#x1EC7; &#7879;.</p>\
            <!-- <p>bí mật</p> --><script>alert('x')</script>\
            <ul><li>Một</li><li>Hai</li></ul>Trân   trọng,<br>Nguyễn Văn An</body></html>";
        assert_eq!(
            html_to_text(html),
            "Kính gửi Sở Nội vụ,\n\n\
             Tôi phản ánh việc chậm trả kết quả hồ sơ tại phường Hải Châu, mức phí 2.000 đồng & lệ \
             phí khác ệ ệ.\n- Một\n- Hai\nTrân trọng,\nNguyễn Văn An"
        );
    }

    #[test]
    fn html_links_only_for_http() {
        let html = "Xem <a href=\"https://dichvucong.gov.vn/p/home\">Cổng dịch vụ công</a>, \
            <a href='javascript:alert(1)'>bấm đây</a>, <a href=\"mailto:pakn@so.example.gov.vn\">thư</a>, \
            <a href=\"https://so.example.gov.vn\">https://so.example.gov.vn</a> và \
            <a href=\"http://a.vn/x\"><img src=\"x.png\"></a>.";
        assert_eq!(
            html_to_text(html),
            "Xem Cổng dịch vụ công (https://dichvucong.gov.vn/p/home), bấm đây, thư, \
             https://so.example.gov.vn và http://a.vn/x."
        );
    }

    #[test]
    fn no_tags_survive() {
        let html = "<div title=\"a > b\" onclick='x<y'>Nội dung</div><SCRIPT type=text/javascript>document.write('<b>')</SCRIPT>\
            <STYLE>b{}</STYLE><o:p></o:p><img src=x onerror=alert(1)>1 < 2 và 3 > 2<iframe src=\"https://evil\"></iframe>";
        let text = html_to_text(html);
        assert_eq!(text, "Nội dung\n1 < 2 và 3 > 2");
        assert!(!text.contains("<script") && !text.contains("onerror") && !text.contains("<b>"));
        assert_eq!(html_to_text("<p>Chưa đóng <b"), "Chưa đóng");
        assert_eq!(html_to_text("<!-- không đóng"), "");
    }

    #[test]
    fn html_pre_keeps_its_lines() {
        let html = "<pre>Mã hồ sơ:   000.00.12\n  Ngày: 20/11/2026</pre>Hết.";
        assert_eq!(
            html_to_text(html),
            "Mã hồ sơ:   000.00.12\n  Ngày: 20/11/2026\nHết."
        );
    }

    #[test]
    fn html_new_text_cuts_gmail_quote() {
        let html = "<div dir=\"ltr\">Tôi đồng ý.</div><br><div class=\"gmail_quote gmail_quote_container\">\
            <div dir=\"ltr\" class=\"gmail_attr\">Vào Th 5, 3 thg 12, 2026 lúc 10:15 Sở Nội vụ đã viết:<br></div>\
            <blockquote class=\"gmail_quote\"><div>Kết quả.</div><div class=\"gmail_quote\">cũ hơn</div></blockquote></div>";
        assert_eq!(html_new_text(html), "Tôi đồng ý.");
        assert!(html_to_text(html).contains("Kết quả."));
    }

    #[test]
    fn html_new_text_cuts_gmail_signature() {
        let html = "<div dir=\"ltr\">Tôi đồng ý.<br clear=\"all\"><br><span class=\"gmail_signature_prefix\">-- </span><br>\
            <div dir=\"ltr\" class=\"gmail_signature\"><div>Nguyễn Văn An<br>0905 000 111</div></div></div>";
        assert_eq!(html_new_text(html), "Tôi đồng ý.");
        assert_eq!(
            html_to_text(html),
            "Tôi đồng ý.\n\n--\nNguyễn Văn An\n0905 000 111"
        );
        assert_eq!(trim_reply(&html_to_text(html)), "Tôi đồng ý.");
    }

    #[test]
    fn html_new_text_cuts_outlook_history() {
        let html = "<div>Đã nhận.</div><div id=\"appendonsend\"></div><hr><div id=\"divRplyFwdMsg\">\
            <b>Từ:</b> Sở Nội vụ<br><b>Đã gửi:</b> Thứ Năm</div><div>Nội dung cũ</div>";
        assert_eq!(html_new_text(html), "Đã nhận.");
        let owa = "<div>Đã nhận.</div><hr style=\"display:inline-block;width:98%\"><div id=\"divRplyFwdMsg\" dir=\"ltr\">Từ: Sở</div><div>cũ</div>";
        assert_eq!(html_new_text(owa), "Đã nhận.");
    }

    #[test]
    fn html_new_text_cuts_cite_blockquotes() {
        let thunderbird = "<p>Tôi bổ sung như sau.</p><div class=\"moz-cite-prefix\">On 03/12/2026 10:15, Sở Nội vụ wrote:<br></div>\
            <blockquote type=\"cite\" cite=\"mid:pakn.1@so\"><blockquote type=\"cite\">rất cũ</blockquote>cũ</blockquote><p>Thửa đất số 125.</p>";
        assert_eq!(
            html_new_text(thunderbird),
            "Tôi bổ sung như sau.\nThửa đất số 125."
        );
        let apple = "<div dir=\"ltr\">Cảm ơn Sở.</div><blockquote type=\"cite\">Vào 3 thg 12, 2026, lúc 15:30, Sở Nội vụ &lt;pakn@so.example.gov.vn&gt; đã viết:<br><br></blockquote><blockquote type=\"cite\"><div>Kết quả.</div></blockquote>";
        assert_eq!(html_new_text(apple), "Cảm ơn Sở.");
    }

    #[test]
    fn entities_edge_cases() {
        assert_eq!(
            decode_entities("AT&T &unknown; &#0; &#xZZ; &#99999999; &#"),
            "AT&T &unknown; \u{fffd} &#xZZ; \u{fffd} &#"
        );
        assert_eq!(decode_entities("&amp;nbsp;"), "&nbsp;");
        assert_eq!(
            decode_entities("&lt;pakn@so.example.gov.vn&gt;"),
            "<pakn@so.example.gov.vn>"
        );
    }

    #[test]
    fn odd_input_never_panics() {
        let pieces = [
            "<",
            ">",
            "&",
            "#",
            "x",
            ";",
            "\"",
            "'",
            "=",
            " ",
            "\n",
            "\r",
            "-- ",
            "--",
            ">",
            "ệ",
            "Vào ",
            "On ",
            "wrote:",
            "đã viết:",
            "10:15",
            "@",
            "From:",
            "Sent:",
            "To:",
            "<!--",
            "-->",
            "<script",
            "</script",
            "<a href=",
            "https://",
            "</a>",
            "<div class=gmail_quote>",
            "</div>",
            "<blockquote type=cite>",
            "<pre>",
            "</pre>",
            "&#x",
            "&#",
            "&amp",
            "_____________",
            "<br>",
            "\u{a0}",
            "\u{fffd}",
        ];
        let mut seed: u32 = 42;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..40 {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                text.push_str(pieces[(seed >> 16) as usize % pieces.len()]);
            }
            let _ = trim_reply(&text);
            let _ = html_to_text(&text);
            let _ = html_new_text(&text);
            let _ = unflow(&text, seed.is_multiple_of(2));
            let _ = decode_entities(&text);
        }
    }
}
