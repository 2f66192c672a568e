//! The lĩnh vực and content-category choices of the staff's filing forms (entering an
//! off-line PAKN, completing one sent by email), with the one typed marked selected.

use crate::domain::reference::Reference;
use crate::i18n::Tr;

/// One option of a list or a group of radio buttons.
pub struct Choice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

/// The active lĩnh vực, `selected` marked.
pub fn field_choices(reference: &Reference, t: &Tr, selected: &str) -> Vec<Choice> {
    reference
        .active_fields()
        .map(|f| Choice {
            code: f.code.clone(),
            name: t.pick(&f.name_vi, &f.name_en).to_string(),
            selected: f.code == selected,
        })
        .collect()
}

/// The active content categories (Điều 5), `selected` marked.
pub fn category_choices(reference: &Reference, t: &Tr, selected: &str) -> Vec<Choice> {
    reference
        .active_categories()
        .map(|c| Choice {
            code: c.code.clone(),
            name: t.pick(&c.name_vi, &c.name_en).to_string(),
            selected: c.code == selected,
        })
        .collect()
}
