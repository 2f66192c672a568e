//! Reusable reply templates: what each serves (the draft reply, or a request for
//! information) and which of them an officer is offered for a PAKN of one lĩnh vực.

/// The purposes a reply template serves: the action form whose text it fills.
pub const PURPOSES: [&str; 2] = ["reply", "needs_info"];
/// Longest template text.
pub const BODY_MAX: usize = 10_000;

/// The action form a template of `purpose` fills, and the name of its text field.
pub fn target(purpose: &str) -> Option<(&'static str, &'static str)> {
    match purpose {
        "reply" => Some(("submit_draft", "body")),
        "needs_info" => Some(("ask_info", "question")),
        _ => None,
    }
}

/// Whether a template for `template_field` (none: every lĩnh vực) is offered for a PAKN
/// of `field`.
pub fn applies(template_field: Option<&str>, field: &str) -> bool {
    template_field.is_none_or(|f| f == field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_fills_its_form_and_a_field_template_stays_in_its_field() {
        assert_eq!(target("reply"), Some(("submit_draft", "body")));
        assert_eq!(target("needs_info"), Some(("ask_info", "question")));
        assert_eq!(target("rejected"), None);
        assert!(applies(None, "viec_lam"));
        assert!(applies(Some("viec_lam"), "viec_lam"));
        assert!(!applies(Some("ton_giao"), "viec_lam"));
    }
}
