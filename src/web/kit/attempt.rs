//! A refused form on a page that holds several (the staff ticket page's actions, the
//! citizen's forms on the track page): which form it was, its message, and what was
//! typed, so the page comes back with that form open, its message and its values.

/// A refused attempt: which form (`action`), its message, what was typed.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    pub action: String,
    pub error: String,
    pub values: Vec<(String, String)>,
}

/// What was typed in `name` of the form of `action`, if that form was refused.
pub fn typed<'a>(attempt: &'a Option<Attempt>, action: &str, name: &str) -> &'a str {
    attempt
        .as_ref()
        .filter(|a| a.action == action)
        .and_then(|a| a.values.iter().find(|(k, _)| k == name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// The message of the refused form of `action`, if that form was refused.
pub fn error_of<'a>(attempt: &'a Option<Attempt>, action: &str) -> &'a str {
    attempt
        .as_ref()
        .filter(|a| a.action == action)
        .map(|a| a.error.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_message_belong_to_the_refused_form_only() {
        let attempt = Some(Attempt {
            action: "reject".into(),
            error: "Cần nêu lý do.".into(),
            values: vec![("reason".into(), "Trùng lặp".into())],
        });
        assert_eq!(typed(&attempt, "reject", "reason"), "Trùng lặp");
        assert_eq!(typed(&attempt, "reject", "other"), "");
        assert_eq!(typed(&attempt, "ask_info", "reason"), "");
        assert_eq!(error_of(&attempt, "reject"), "Cần nêu lý do.");
        assert_eq!(error_of(&attempt, "ask_info"), "");
        assert_eq!(typed(&None, "reject", "reason"), "");
    }
}
