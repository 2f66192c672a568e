//! The label of each PAKN form field by its input name, shared by the public filing form
//! and the staff entry form so that their error summaries both read "Label: message"
//! ("Họ và tên: Vui lòng nhập mục này.") rather than a list of identical messages.

/// The message id of a field's label; empty for a name no form labels.
pub fn label_id(name: &str) -> &'static str {
    match name {
        "submitter_kind" => "label-submitter-kind",
        "full_name" => "label-full-name",
        "organization" => "label-organization",
        "representative" => "label-representative",
        "address" => "label-address",
        "commune" => "label-commune",
        "phone" => "label-phone",
        "email" => "label-email",
        "kind" => "label-kind",
        "content_category" => "label-content-category",
        "field" => "label-field",
        "procedure" => "label-procedure",
        "dossier_code" => "label-dossier-code",
        "subject_agency" => "label-subject-agency",
        "title" => "label-title",
        "content" => "label-content",
        "proposal" => "label-proposal",
        "attachments" => "label-attachments",
        "channel" => "staff-channel",
        "received_on" => "staff-received-on",
        "external_ref" => "staff-external-ref",
        "external_ref_date" => "staff-external-ref-date",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::label_id;
    use crate::i18n::{Lang, Tr};

    #[test]
    fn every_label_exists_in_both_languages() {
        for name in [
            "submitter_kind",
            "full_name",
            "phone",
            "kind",
            "content_category",
            "field",
            "title",
            "content",
            "attachments",
            "channel",
            "received_on",
            "external_ref",
            "external_ref_date",
        ] {
            let id = label_id(name);
            assert!(!id.is_empty(), "{name} has a label");
            for lang in [Lang::Vi, Lang::En] {
                let text = Tr::new(lang).t(id);
                assert_ne!(text, id, "{id} is translated in {lang:?}");
            }
        }
        assert_eq!(label_id("csrf"), "");
    }
}
