//! Languages: Vietnamese by default, English on request, and the messages of both.
//! Every word a citizen reads comes from `templates/locales/{vi,en}/*.ftl` (one file per
//! feature area). Which language a request is in is the web layer's business
//! (`web::kit::lang`); pages, mail and handling all word things through [`Tr`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./templates/locales",
        fallback_language: "vi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static VI: LazyLock<LanguageIdentifier> = LazyLock::new(|| langid!("vi"));
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| langid!("en"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// Picks the Vietnamese or English variant of a pair of stored texts.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En if en.is_empty() => vi,
            Lang::En => en,
        }
    }
}

/// Messages without arguments, as looked up: their text never changes while the
/// process runs (the locales are compiled in), and a lookup negotiates languages and
/// formats the pattern each time (a queue page asked for about 150).
static PLAIN: [LazyLock<RwLock<HashMap<String, String>>>; 2] = [
    LazyLock::new(|| RwLock::new(HashMap::new())),
    LazyLock::new(|| RwLock::new(HashMap::new())),
];

/// The message `id` without arguments in `lang`, from [`PLAIN`] once looked up; its id
/// itself when missing.
fn plain_message(lang: Lang, id: &str) -> String {
    let cache = &PLAIN[lang as usize];
    if let Some(text) = cache
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(id)
    {
        return text.clone();
    }
    let text = LOCALES
        .try_lookup(lang.id(), id)
        .unwrap_or_else(|| id.to_string());
    cache
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id.to_string(), text.clone());
    text
}

/// Where a template's argument goes: a character of the Private Use Area, which no
/// message holds.
const HOLE: char = '\u{E000}';

/// A message with one text argument, formatted once around a hole ([`Tr::template1`]).
#[derive(Debug, Clone)]
pub struct Template {
    before: String,
    /// What follows the argument; none when the message does not show it.
    after: Option<String>,
}

impl Template {
    /// The message with `value` as its argument, as [`Tr::t1`] would word it.
    pub fn fill(&self, value: &str) -> String {
        let Some(after) = &self.after else {
            return self.before.clone();
        };
        let mut out = String::with_capacity(self.before.len() + value.len() + after.len());
        out.push_str(&self.before);
        out.push_str(value);
        out.push_str(after);
        out
    }
}

/// Looks up messages in one language. Templates call `t.t("id")` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The message `id`; its id itself when missing (a test checks none is missing).
    pub fn t(&self, id: &str) -> String {
        plain_message(self.lang, id)
    }

    /// A message with one text argument, looked up once to fill many times (the
    /// queue's 50 rows each label their checkbox with their code).
    pub fn template1(&self, id: &str, name: &'static str) -> Template {
        let formatted = self.t1(id, name, HOLE.to_string());
        match formatted.split_once(HOLE) {
            Some((before, after)) => Template {
                before: before.to_string(),
                after: Some(after.to_string()),
            },
            // A translation without the argument, or a missing message.
            None => Template {
                before: formatted,
                after: None,
            },
        }
    }

    /// The message with one argument.
    pub fn t1(
        &self,
        id: &str,
        name: &'static str,
        value: impl Into<FluentValue<'static>>,
    ) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'static>> = HashMap::new();
        args.insert(Cow::Borrowed(name), value.into());
        LOCALES
            .try_lookup_with_args(self.lang.id(), id, &args)
            .unwrap_or_else(|| id.to_string())
    }

    /// The message with two arguments.
    pub fn t2(
        &self,
        id: &str,
        name1: &'static str,
        value1: impl Into<FluentValue<'static>>,
        name2: &'static str,
        value2: impl Into<FluentValue<'static>>,
    ) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'static>> = HashMap::new();
        args.insert(Cow::Borrowed(name1), value1.into());
        args.insert(Cow::Borrowed(name2), value2.into());
        LOCALES
            .try_lookup_with_args(self.lang.id(), id, &args)
            .unwrap_or_else(|| id.to_string())
    }

    /// Whether a message exists in this language (for tests and fallbacks).
    pub fn has(&self, id: &str) -> bool {
        LOCALES.try_lookup(self.lang.id(), id).is_some()
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn pick<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    /// The message with any number of arguments; its id itself when missing.
    pub fn tn(&self, id: &str, named: Vec<(&'static str, FluentValue<'static>)>) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = named
            .into_iter()
            .map(|(name, value)| (Cow::Borrowed(name), value))
            .collect();
        LOCALES
            .try_lookup_with_args(self.lang.id(), id, &args)
            .unwrap_or_else(|| id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_fills_as_the_message_with_its_argument_and_plain_messages_keep_their_text() {
        for lang in [Lang::Vi, Lang::En] {
            let t = Tr::new(lang);
            let pick = t.template1("queue-pick", "code");
            for code in ["PAKN-2026-000001", "<b>&amp;</b>", ""] {
                assert_eq!(
                    pick.fill(code),
                    t.t1("queue-pick", "code", code.to_string())
                );
            }
            let missing = t.template1("no-such-message", "x");
            assert_eq!(missing.fill("v"), "no-such-message");
            let direct = LOCALES.try_lookup(lang.id(), "queue-unassigned");
            assert_eq!(Some(t.t("queue-unassigned")), direct);
            assert_eq!(Some(t.t("queue-unassigned")), direct, "from the cache");
            assert_eq!(t.t("no-such-message"), "no-such-message");
        }
        assert_ne!(
            Tr::new(Lang::Vi).t("queue-unassigned"),
            Tr::new(Lang::En).t("queue-unassigned")
        );
    }

    /// Every `.ftl` file of one language, by file name (each feature area keeps its own
    /// file: `main.ftl`, `track.ftl`, `admin.ftl`, …).
    fn locale_files(lang: &str) -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates/locales")
            .join(lang);
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .expect("locale directory")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .map(|p| {
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                (name, std::fs::read_to_string(&p).expect("readable ftl"))
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn messages_exist_in_both_languages() {
        let ids = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
                .filter_map(|l| l.split(" =").next().map(|s| s.trim().to_string()))
                .collect()
        };
        let vi_files = locale_files("vi");
        let en_files = locale_files("en");
        let names =
            |files: &[(String, String)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&vi_files),
            names(&en_files),
            "the same files in vi and en"
        );
        let mut seen = std::collections::HashSet::new();
        for ((name, vi), (_, en)) in vi_files.iter().zip(&en_files) {
            let (vi_ids, en_ids) = (ids(vi), ids(en));
            for id in &vi_ids {
                assert!(en_ids.contains(id), "{id} missing in en/{name}");
                assert!(seen.insert(id.clone()), "{id} defined twice (vi/{name})");
            }
            for id in &en_ids {
                assert!(vi_ids.contains(id), "{id} missing in vi/{name}");
            }
        }
        assert!(Tr::new(Lang::Vi).t("site-title").contains("phản ánh"));
    }

    #[test]
    fn vietnamese_messages_are_nfc() {
        use unicode_normalization::UnicodeNormalization;
        for (name, vi) in locale_files("vi") {
            assert_eq!(vi.nfc().collect::<String>(), vi, "{name} must be NFC");
        }
    }
}
