//! The house plan, checked on the source: arrows run down (each top-level module imports
//! only the layers below it), the web feature areas share `web::kit` and never import one
//! another, and the web layer opens no transaction and queues no mail (the use cases in
//! `handling/` do), and a write's result is never read with `get_result` or `first`
//! (`src/db/durable.rs`: they report a write before its commit is confirmed). A change
//! that breaks a rule fails here with the file and the line,
//! so the rule is fixed or the change moves to the room it belongs in.

use std::fs;
use std::path::{Path, PathBuf};

/// What each top-level module may import of ours (besides itself). `lib.rs`, `main.rs`,
/// `app.rs` and `cli/` assemble the whole and may import anything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("i18n", &[]),
    ("telemetry", &[]),
    ("config", &["domain"]),
    ("db", &["domain", "config", "i18n"]),
    ("reference", &["db", "domain", "config", "i18n"]),
    ("auth", &["db", "domain", "config", "i18n"]),
    ("mail", &["reference", "db", "domain", "config", "i18n"]),
    ("webhooks", &["mail", "db", "domain", "config", "i18n"]),
    (
        "handling",
        &[
            "webhooks",
            "mail",
            "auth",
            "reference",
            "db",
            "domain",
            "config",
            "i18n",
        ],
    ),
    (
        "web",
        &[
            "handling",
            "webhooks",
            "mail",
            "auth",
            "reference",
            "db",
            "domain",
            "config",
            "i18n",
            "telemetry",
        ],
    ),
];

/// The modules of the assembly, which may import any layer.
const ASSEMBLY: &[&str] = &["lib", "main", "app", "cli"];

/// Calls that only a use case in `handling/` (or the data layer) may make.
const WRITE_PATH_CALLS: &[&str] = &[
    ".transaction",
    "build_transaction",
    "mail::enqueue",
    "outbox::enqueue",
];

struct Source {
    /// Path under `src/`, with `/` separators.
    rel: String,
    /// Lines with comments removed, numbered from 1.
    code: Vec<(usize, String)>,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("a source file reads");
            let rel = path
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            Source {
                rel,
                code: without_comments(&text),
            }
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ lists") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of each line, without `//` comments (doc comments included). String
/// literals containing `//` (URLs) are kept whole: the cut is made only outside quotes.
fn without_comments(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let mut in_str = false;
            let mut prev = ' ';
            let mut cut = line.len();
            for (at, c) in line.char_indices() {
                if c == '"' && prev != '\\' {
                    in_str = !in_str;
                }
                if !in_str && c == '/' && prev == '/' {
                    cut = at - 1;
                    break;
                }
                prev = c;
            }
            (i + 1, line[..cut].to_string())
        })
        .collect()
}

/// The top-level module a file belongs to (`web/track/page.rs` → `web`).
fn top_module(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The web feature area of a file (`web/track/page.rs` → `track`), if it is in one.
fn web_area(rel: &str) -> Option<&str> {
    let mut parts = rel.split('/');
    (parts.next() == Some("web")).then_some(())?;
    let area = parts.next()?;
    // Files directly under web/ (mod.rs: the router) assemble the areas.
    parts.next().map(|_| area)
}

/// Every `crate::a::b` path on a line, as (`a`, `b`).
fn crate_paths(line: &str) -> Vec<(String, String)> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    line.match_indices("crate::")
        .filter(|(at, _)| {
            // `$crate::` in macros and `pakn_crate::` style names are not ours.
            let before = line[..*at].chars().next_back();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
        .filter_map(|(at, m)| {
            let rest = &line[at + m.len()..];
            let top = ident(rest);
            // `crate::text_code!` is an exported macro, not a module.
            if rest[top.len()..].starts_with('!') {
                return None;
            }
            let sub = rest[top.len()..]
                .strip_prefix("::")
                .map(ident)
                .unwrap_or_default();
            Some((top, sub))
        })
        .collect()
}

#[test]
fn arrows_run_down() {
    let mut wrong = Vec::new();
    for src in sources() {
        let me = top_module(&src.rel);
        if ASSEMBLY.contains(&me) {
            continue;
        }
        let allowed = ALLOWED
            .iter()
            .find(|(m, _)| *m == me)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("src/{}: add its module to ALLOWED", src.rel));
        for (n, line) in &src.code {
            for (top, _) in crate_paths(line) {
                if top != me && !allowed.contains(&top.as_str()) {
                    wrong.push(format!("src/{}:{n}: {me} imports {top}", src.rel));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "upward imports:\n{}", wrong.join("\n"));
}

#[test]
fn web_areas_share_the_kit_and_never_each_other() {
    let mut wrong = Vec::new();
    for src in sources() {
        let Some(area) = web_area(&src.rel) else {
            continue;
        };
        for (n, line) in &src.code {
            for (top, sub) in crate_paths(line) {
                let other_area = top == "web" && sub != "kit" && sub != area;
                if other_area || (area == "kit" && top == "web" && sub != "kit") {
                    wrong.push(format!("src/{}:{n}: {area} imports web::{sub}", src.rel));
                }
            }
            if line.contains("super::super") {
                wrong.push(format!(
                    "src/{}:{n}: reaches out with super::super",
                    src.rel
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "web areas importing each other:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn web_opens_no_transaction_and_queues_no_mail() {
    let mut wrong = Vec::new();
    for src in sources().iter().filter(|s| s.rel.starts_with("web/")) {
        for (n, line) in &src.code {
            for call in WRITE_PATH_CALLS {
                if line.contains(call) {
                    wrong.push(format!("src/{}:{n}: {call}", src.rel));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "write paths in web (move them to a use case in handling/):\n{}",
        wrong.join("\n")
    );
}

/// The statements of a file, as (first line, text): the code cut after every `.await`
/// and before every function or top-level item.
fn statements(src: &Source) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut first = 0;
    let blank = |s: &str| !s.chars().any(|c| c.is_alphanumeric());
    for (n, line) in &src.code {
        let item = line.trim_start();
        let starts_item = !line.starts_with(char::is_whitespace)
            || [
                "fn ",
                "pub fn ",
                "async fn ",
                "pub async fn ",
                "pub(crate) ",
            ]
            .iter()
            .any(|p| item.starts_with(p));
        if starts_item && !blank(&current) {
            out.push((first, std::mem::take(&mut current)));
        }
        let mut rest = line.as_str();
        while let Some(at) = rest.find(".await") {
            if blank(&current) {
                first = *n;
            }
            current.push_str(&rest[..at]);
            out.push((first, std::mem::take(&mut current)));
            rest = &rest[at + ".await".len()..];
        }
        if blank(&current) {
            first = *n;
        }
        current.push_str(rest);
        current.push('\n');
    }
    out
}

/// Whether a statement writes: diesel's insert, update or delete, or SQL text that
/// inserts, updates or deletes.
fn writes(statement: &str) -> bool {
    let upper = statement.to_uppercase();
    ["insert_into(", "diesel::update(", "diesel::delete("]
        .iter()
        .any(|m| statement.contains(m))
        || ["INSERT INTO", "UPDATE ", "DELETE FROM"]
            .iter()
            .any(|m| upper.contains(m) && statement.contains('"'))
}

/// Whether a statement reads its first row and drops the rest of the answer.
fn reads_first_row_only(statement: &str) -> bool {
    [".get_result(", ".get_result::<", ".first(", ".first::<"]
        .iter()
        .any(|m| statement.contains(m))
}

#[test]
fn a_write_is_reported_only_after_its_commit() {
    let mut wrong = Vec::new();
    for src in sources() {
        for (n, statement) in statements(&src) {
            if writes(&statement) && reads_first_row_only(&statement) {
                wrong.push(format!("src/{}:{n}", src.rel));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a write read with get_result or first (use db::durable::one or optional):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_look_for() {
    let src = Source {
        rel: "db/x.rs".into(),
        code: without_comments(
            "let a = t.count().get_result(c).await?;\n\
             diesel::insert_into(t)\n  .values(v)\n  .get_result(c)\n  .await\n\
             let q = sql_query(\"UPDATE t SET a = 1\").execute(c).await?;",
        ),
    };
    let found: Vec<(usize, bool)> = statements(&src)
        .iter()
        .map(|(n, s)| (*n, writes(s) && reads_first_row_only(s)))
        .collect();
    assert_eq!(found, vec![(1, false), (2, true), (6, false)]);
    assert_eq!(
        crate_paths("use crate::web::kit::x; let a = crate::db::y(); $crate::z; crate::m!(1)"),
        vec![
            ("web".to_string(), "kit".to_string()),
            ("db".to_string(), "y".to_string())
        ]
    );
    assert_eq!(
        without_comments("let u = \"http://x\"; // crate::web\n/// crate::db"),
        vec![
            (1, "let u = \"http://x\"; ".to_string()),
            (2, String::new())
        ]
    );
    assert_eq!(web_area("web/track/page.rs"), Some("track"));
    assert_eq!(web_area("web/mod.rs"), None);
    assert_eq!(top_module("handling/mod.rs"), "handling");
    assert_eq!(top_module("config.rs"), "config");
}
