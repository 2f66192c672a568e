//! The page shapes every admin screen shares: a list ([`ListPage`], `admin/list.html`)
//! and a form ([`FormPage`], `admin/form.html`) described as data, so each screen only
//! says which columns and inputs it has and the markup (labels, hints, errors, the error
//! summary, the anti-forgery field) is written once.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::db::admin::Problem;
use crate::domain::admin as check;
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::StaffChrome;
use crate::web::kit::page;

/// One choice of a select or a checkbox group.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
        Opt {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// One select of a grid (the to/cc choice for one contact): its name, label and value.
#[derive(Debug, Clone)]
pub struct GridRow {
    pub name: String,
    pub label: String,
    pub current: String,
}

/// One input of a form. `kind` is `text`, `email`, `number`, `textarea`, `checkbox`,
/// `select`, `checkboxes`, `grid` (one select per row, same choices) or `readonly`.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: &'static str,
    pub kind: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub value: String,
    pub checked: bool,
    pub required: bool,
    pub maxlength: usize,
    pub options: Vec<Opt>,
    pub rows: Vec<GridRow>,
}

impl Input {
    fn new(name: &'static str, kind: &'static str, label: String) -> Input {
        Input {
            name,
            kind,
            label,
            hint: None,
            error: None,
            value: String::new(),
            checked: false,
            required: false,
            maxlength: 200,
            options: Vec::new(),
            rows: Vec::new(),
        }
    }

    pub fn text(name: &'static str, label: String, value: &str, maxlength: usize) -> Input {
        Input {
            value: value.to_string(),
            maxlength,
            ..Input::new(name, "text", label)
        }
    }

    pub fn email(name: &'static str, label: String, value: &str) -> Input {
        Input {
            value: value.to_string(),
            maxlength: 254,
            ..Input::new(name, "email", label)
        }
    }

    pub fn number(name: &'static str, label: String, value: &str) -> Input {
        Input {
            value: value.to_string(),
            maxlength: 7,
            ..Input::new(name, "number", label)
        }
    }

    pub fn textarea(name: &'static str, label: String, value: &str, maxlength: usize) -> Input {
        Input {
            value: value.to_string(),
            maxlength,
            ..Input::new(name, "textarea", label)
        }
    }

    pub fn checkbox(name: &'static str, label: String, checked: bool) -> Input {
        Input {
            checked,
            ..Input::new(name, "checkbox", label)
        }
    }

    pub fn select(name: &'static str, label: String, options: Vec<Opt>) -> Input {
        Input {
            options,
            ..Input::new(name, "select", label)
        }
    }

    pub fn checkboxes(name: &'static str, label: String, options: Vec<Opt>) -> Input {
        Input {
            options,
            ..Input::new(name, "checkboxes", label)
        }
    }

    /// A select per row, each offering `choices`.
    pub fn grid(name: &'static str, label: String, choices: Vec<Opt>, rows: Vec<GridRow>) -> Input {
        Input {
            options: choices,
            rows,
            ..Input::new(name, "grid", label)
        }
    }

    /// A value shown but not editable (a code after creation).
    pub fn readonly(name: &'static str, label: String, value: &str) -> Input {
        Input {
            value: value.to_string(),
            ..Input::new(name, "readonly", label)
        }
    }

    /// A record's code: typed when the record is new, shown after (codes never change).
    pub fn code(t: Tr, value: &str, editing: bool) -> Input {
        if editing {
            Input::readonly("code", t.t("admin-code"), value)
        } else {
            Input::text("code", t.t("admin-code"), value, check::CODE_MAX)
                .required()
                .hint(t.t("admin-code-hint"))
        }
    }

    /// The Vietnamese and English names, both required.
    pub fn names(t: Tr, name_vi: &str, name_en: &str) -> [Input; 2] {
        [
            Input::text("name_vi", t.t("admin-name-vi"), name_vi, check::NAME_MAX).required(),
            Input::text("name_en", t.t("admin-name-en"), name_en, check::NAME_MAX).required(),
        ]
    }

    /// The place in the list.
    pub fn sort(t: Tr, value: &str) -> Input {
        Input::number("sort", t.t("admin-sort"), value).hint(t.t("admin-sort-hint"))
    }

    pub fn required(mut self) -> Input {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: String) -> Input {
        self.hint = Some(hint);
        self
    }
}

/// A button that posts a small form (with the anti-forgery token and hidden values).
#[derive(Debug, Clone)]
pub struct PostButton {
    pub action: String,
    pub label: String,
    pub hidden: Vec<(String, String)>,
}

impl PostButton {
    pub fn new(action: String, label: String) -> PostButton {
        PostButton {
            action,
            label,
            hidden: Vec::new(),
        }
    }

    pub fn with(mut self, name: &str, value: &str) -> PostButton {
        self.hidden.push((name.to_string(), value.to_string()));
        self
    }
}

/// Words the problems of a form in the page's language: (field, message).
pub fn messages(t: Tr, problems: &[Problem]) -> Vec<(String, String)> {
    problems
        .iter()
        .map(|p| {
            let message = match &p.value {
                Some(v) => t.t1(p.message, "value", v.clone()),
                None => t.t(p.message),
            };
            (p.field.to_string(), message)
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/form.html")]
pub struct FormPage {
    pub chrome: StaffChrome,
    pub heading: String,
    pub intro: Option<String>,
    /// Where the form posts.
    pub action: String,
    /// The list it belongs to: (href, label).
    pub back: (String, String),
    pub submit: String,
    pub inputs: Vec<Input>,
    /// (field, message), in the order of the inputs.
    pub errors: Vec<(String, String)>,
    /// Other actions on the same record (removing a calendar day).
    pub extra: Vec<PostButton>,
}

impl FormPage {
    /// Puts each problem next to its input (and all in the summary, in input order), and
    /// answers 422 when there are problems.
    pub fn render(mut self, lang: &RequestLang, problems: &[Problem]) -> Response {
        let t = self.chrome.t;
        let mut errors = messages(t, problems);
        let order = |name: &str| {
            self.inputs
                .iter()
                .position(|i| i.name == name)
                .unwrap_or(usize::MAX)
        };
        errors.sort_by_key(|(name, _)| order(name));
        for input in &mut self.inputs {
            input.error = errors
                .iter()
                .find(|(name, _)| name == input.name)
                .map(|(_, m)| m.clone());
        }
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        self.errors = errors;
        (status, page(lang, self)).into_response()
    }
}

/// One row of a list.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// The row's HTML id (tests and links find rows by it).
    pub id: String,
    /// Each cell's lines.
    pub cells: Vec<Vec<String>>,
    /// Marks (default, inactive, needs verification, expected, …).
    pub flags: Vec<String>,
    pub edit_href: Option<String>,
    pub inactive: bool,
    pub actions: Vec<PostButton>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/list.html")]
pub struct ListPage {
    pub chrome: StaffChrome,
    pub heading: String,
    pub intro: Option<String>,
    /// The "add" link: (href, label).
    pub new_link: Option<(String, String)>,
    pub notice: Option<String>,
    /// Links between pages of the list (years of the calendar): (href, label, current).
    pub pages: Vec<(String, String, bool)>,
    pub columns: Vec<String>,
    pub rows: Vec<ListRow>,
    pub empty: String,
}

impl ListPage {
    pub fn render(self, lang: &RequestLang) -> Response {
        page(lang, self)
    }
}
