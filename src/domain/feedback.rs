//! The filing form as data: the raw values a citizen typed, and their validation into a
//! [`ValidFeedback`] (Điều 7 NĐ 20/2008: name, address, phone, clear content; a kiến
//! nghị states its proposal). Every text is normalised to NFC here. Errors are codes per
//! field; the web layer words them in the user's language.

use crate::domain::fold::{clean_line, clean_text};
use crate::domain::phone::Phone;

/// Limits on text fields, in characters (after NFC).
pub mod limits {
    pub const NAME: (usize, usize) = (2, 100);
    pub const ORGANIZATION: (usize, usize) = (2, 200);
    pub const ADDRESS: (usize, usize) = (5, 300);
    pub const COMMUNE: usize = 100;
    pub const EMAIL: usize = 254;
    pub const PROCEDURE: usize = 300;
    pub const DOSSIER_CODE: usize = 50;
    pub const SUBJECT_AGENCY: usize = 300;
    pub const TITLE: (usize, usize) = (5, 200);
    pub const CONTENT: (usize, usize) = (20, 10_000);
    pub const PROPOSAL: (usize, usize) = (10, 5_000);
}

/// What the form sent, as typed (the names are the form's field names).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeedbackValues {
    pub submitter_kind: String,
    pub full_name: String,
    pub organization: String,
    pub representative: String,
    pub address: String,
    pub commune: String,
    pub phone: String,
    pub email: String,
    pub kind: String,
    pub content_category: String,
    pub field: String,
    pub procedure: String,
    pub dossier_code: String,
    pub subject_agency: String,
    pub title: String,
    pub content: String,
    pub proposal: String,
    pub consent: bool,
    pub publish_consent: bool,
}

impl FeedbackValues {
    /// Sets one form field by name; unknown names are ignored. A checkbox is true for any
    /// non-empty value.
    pub fn set(&mut self, name: &str, value: String) {
        match name {
            "submitter_kind" => self.submitter_kind = value,
            "full_name" => self.full_name = value,
            "organization" => self.organization = value,
            "representative" => self.representative = value,
            "address" => self.address = value,
            "commune" => self.commune = value,
            "phone" => self.phone = value,
            "email" => self.email = value,
            "kind" => self.kind = value,
            "content_category" => self.content_category = value,
            "field" => self.field = value,
            "procedure" => self.procedure = value,
            "dossier_code" => self.dossier_code = value,
            "subject_agency" => self.subject_agency = value,
            "title" => self.title = value,
            "content" => self.content = value,
            "proposal" => self.proposal = value,
            "consent" => self.consent = !value.is_empty(),
            "publish_consent" => self.publish_consent = !value.is_empty(),
            _ => {}
        }
    }

    /// Whether `name` is one of the form's text or checkbox fields.
    pub fn is_field(name: &str) -> bool {
        FIELD_NAMES.contains(&name)
    }
}

pub const FIELD_NAMES: &[&str] = &[
    "submitter_kind",
    "full_name",
    "organization",
    "representative",
    "address",
    "commune",
    "phone",
    "email",
    "kind",
    "content_category",
    "field",
    "procedure",
    "dossier_code",
    "subject_agency",
    "title",
    "content",
    "proposal",
    "consent",
    "publish_consent",
];

crate::text_code! {
    pub enum SubmitterKind {
        Individual = "individual",
        Organization = "organization",
    }
}

crate::text_code! {
    pub enum FeedbackKind {
        PhanAnh = "phan_anh",
        KienNghi = "kien_nghi",
    }
}

crate::text_code! {
    /// How a PAKN reached the department.
    pub enum Channel {
        Web = "web",
        Email = "email",
        Phone = "phone",
        Post = "post",
        InPerson = "in_person",
        NationalPortal = "national_portal",
        ProvincialCommittee = "provincial_committee",
        Api = "api",
    }
}

/// Why one field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    Required,
    /// A choice (radio buttons, a list) left empty: "Vui lòng chọn …", not "nhập".
    ChoiceRequired,
    TooShort(usize),
    TooLong(usize),
    InvalidPhone,
    InvalidEmail,
    InvalidChoice,
    InvalidDossierCode,
    ProposalRequired,
    ConsentRequired,
}

impl FieldError {
    /// The message id in the `.ftl` files.
    pub fn message_id(self) -> &'static str {
        match self {
            FieldError::Required => "err-required",
            FieldError::ChoiceRequired => "err-choice-required",
            FieldError::TooShort(_) => "err-too-short",
            FieldError::TooLong(_) => "err-too-long",
            FieldError::InvalidPhone => "err-phone",
            FieldError::InvalidEmail => "err-email",
            FieldError::InvalidChoice => "err-choice",
            FieldError::InvalidDossierCode => "err-dossier-code",
            FieldError::ProposalRequired => "err-proposal-required",
            FieldError::ConsentRequired => "err-consent-required",
        }
    }

    /// The number the message mentions, if any.
    pub fn count(self) -> Option<usize> {
        match self {
            FieldError::TooShort(n) | FieldError::TooLong(n) => Some(n),
            _ => None,
        }
    }
}

/// Field name → error, in form order.
pub type FieldErrors = Vec<(&'static str, FieldError)>;

/// A filing that passed every check, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFeedback {
    pub submitter_kind: SubmitterKind,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub representative: Option<String>,
    pub address: String,
    pub commune: Option<String>,
    pub phone: Phone,
    pub email: Option<String>,
    pub kind: FeedbackKind,
    pub content_category: String,
    pub field: String,
    pub procedure: Option<String>,
    pub dossier_code: Option<String>,
    pub subject_agency: Option<String>,
    pub title: String,
    pub content: String,
    pub proposal: Option<String>,
    pub publish_consent: bool,
}

impl ValidFeedback {
    /// The name shown to staff: the person, or the organisation.
    pub fn display_name(&self) -> &str {
        self.full_name
            .as_deref()
            .or(self.organization.as_deref())
            .unwrap_or_default()
    }
}

/// The reference lists the form chooses from.
pub struct Choices<'a> {
    pub categories: &'a [(&'a str, bool)],
    pub fields: &'a [&'a str],
}

fn opt(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

fn check_len(
    errors: &mut FieldErrors,
    name: &'static str,
    value: &str,
    (min, max): (usize, usize),
    required: bool,
) {
    let n = value.chars().count();
    if n == 0 {
        if required {
            errors.push((name, FieldError::Required));
        }
    } else if n < min {
        errors.push((name, FieldError::TooShort(min)));
    } else if n > max {
        errors.push((name, FieldError::TooLong(max)));
    }
}

/// A plausible email address: one `@`, a local part, a dotted domain, no spaces.
pub fn is_plausible_email(s: &str) -> bool {
    if s.len() > limits::EMAIL || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    // The local part as mail servers take it unquoted (a dot-atom): no quotes, commas,
    // brackets or comments, which pass a looser check but cannot be mailed (security
    // review, finding 18: the citizen silently got no acknowledgement).
    let atom = |c: char| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    !local.is_empty()
        && local.chars().all(atom)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// Normalises and checks everything the form sent.
pub fn validate(raw: &FeedbackValues, choices: &Choices<'_>) -> Result<ValidFeedback, FieldErrors> {
    let mut errors = FieldErrors::new();

    let submitter_kind = match raw.submitter_kind.as_str() {
        "" | "individual" => SubmitterKind::Individual,
        "organization" => SubmitterKind::Organization,
        _ => {
            errors.push(("submitter_kind", FieldError::InvalidChoice));
            SubmitterKind::Individual
        }
    };
    let full_name = clean_line(&raw.full_name);
    let organization = clean_line(&raw.organization);
    let representative = clean_line(&raw.representative);
    match submitter_kind {
        SubmitterKind::Individual => {
            check_len(&mut errors, "full_name", &full_name, limits::NAME, true)
        }
        SubmitterKind::Organization => {
            check_len(
                &mut errors,
                "organization",
                &organization,
                limits::ORGANIZATION,
                true,
            );
            check_len(
                &mut errors,
                "representative",
                &representative,
                limits::NAME,
                true,
            );
        }
    }
    let address = clean_line(&raw.address);
    check_len(&mut errors, "address", &address, limits::ADDRESS, true);
    let commune = clean_line(&raw.commune);
    check_len(
        &mut errors,
        "commune",
        &commune,
        (0, limits::COMMUNE),
        false,
    );

    let phone_text = clean_line(&raw.phone);
    let phone = if phone_text.is_empty() {
        errors.push(("phone", FieldError::Required));
        None
    } else {
        match Phone::parse(&phone_text) {
            Ok(p) => Some(p),
            Err(_) => {
                errors.push(("phone", FieldError::InvalidPhone));
                None
            }
        }
    };
    let email = clean_line(&raw.email).to_lowercase();
    if !email.is_empty() && !is_plausible_email(&email) {
        errors.push(("email", FieldError::InvalidEmail));
    }

    let mut kind = match FeedbackKind::parse(&raw.kind) {
        Some(k) => Some(k),
        None if raw.kind.is_empty() => {
            errors.push(("kind", FieldError::ChoiceRequired));
            None
        }
        None => {
            errors.push(("kind", FieldError::InvalidChoice));
            None
        }
    };
    match choices
        .categories
        .iter()
        .find(|(code, _)| *code == raw.content_category)
    {
        // A sáng kiến is by nature a kiến nghị (it proposes a rule).
        Some((_, true)) => kind = Some(FeedbackKind::KienNghi),
        Some(_) => {}
        None if raw.content_category.is_empty() => {
            errors.push(("content_category", FieldError::ChoiceRequired))
        }
        None => errors.push(("content_category", FieldError::InvalidChoice)),
    }
    if !choices.fields.contains(&raw.field.as_str()) {
        let err = if raw.field.is_empty() {
            FieldError::ChoiceRequired
        } else {
            FieldError::InvalidChoice
        };
        errors.push(("field", err));
    }
    let procedure = clean_line(&raw.procedure);
    check_len(
        &mut errors,
        "procedure",
        &procedure,
        (0, limits::PROCEDURE),
        false,
    );
    let dossier_code = clean_line(&raw.dossier_code);
    if dossier_code.chars().count() > limits::DOSSIER_CODE {
        errors.push(("dossier_code", FieldError::TooLong(limits::DOSSIER_CODE)));
    } else if !dossier_code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
    {
        errors.push(("dossier_code", FieldError::InvalidDossierCode));
    }
    let subject_agency = clean_line(&raw.subject_agency);
    check_len(
        &mut errors,
        "subject_agency",
        &subject_agency,
        (0, limits::SUBJECT_AGENCY),
        false,
    );
    let title = clean_line(&raw.title);
    check_len(&mut errors, "title", &title, limits::TITLE, true);
    let content = clean_text(&raw.content);
    check_len(&mut errors, "content", &content, limits::CONTENT, true);
    let proposal = clean_text(&raw.proposal);
    if kind == Some(FeedbackKind::KienNghi) && proposal.is_empty() {
        errors.push(("proposal", FieldError::ProposalRequired));
    } else {
        check_len(&mut errors, "proposal", &proposal, limits::PROPOSAL, false);
    }
    if !raw.consent {
        errors.push(("consent", FieldError::ConsentRequired));
    }

    if !errors.is_empty() {
        // Keep form order so the first error is the first field to fix.
        errors.sort_by_key(|(name, _)| FIELD_NAMES.iter().position(|f| f == name));
        return Err(errors);
    }
    let (Some(phone), Some(kind)) = (phone, kind) else {
        return Err(vec![("phone", FieldError::Required)]);
    };
    let individual = submitter_kind == SubmitterKind::Individual;
    Ok(ValidFeedback {
        submitter_kind,
        full_name: if individual { opt(full_name) } else { None },
        organization: if individual { None } else { opt(organization) },
        representative: if individual {
            None
        } else {
            opt(representative)
        },
        address,
        commune: opt(commune),
        phone,
        email: opt(email),
        kind,
        content_category: raw.content_category.clone(),
        field: raw.field.clone(),
        procedure: opt(procedure),
        dossier_code: opt(dossier_code.to_uppercase()),
        subject_agency: opt(subject_agency),
        title,
        content,
        proposal: opt(proposal),
        publish_consent: raw.publish_consent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    const CATEGORIES: &[(&str, bool)] = &[
        ("khong_phu_hop", false),
        ("sang_kien", true),
        ("khac", false),
    ];
    const FIELDS: &[&str] = &["viec_lam", "khac"];

    fn choices() -> Choices<'static> {
        Choices {
            categories: CATEGORIES,
            fields: FIELDS,
        }
    }

    fn good() -> FeedbackValues {
        FeedbackValues {
            submitter_kind: "individual".into(),
            full_name: "Nguyễn Văn An".into(),
            address: "12 Trần Hưng Đạo, Rạch Giá".into(),
            phone: "0983 570 009".into(),
            email: "An@Example.vn".into(),
            kind: "phan_anh".into(),
            content_category: "khong_phu_hop".into(),
            field: "viec_lam".into(),
            title: "Thủ tục trợ cấp thất nghiệp".into(),
            content: "Hồ sơ nộp đã 30 ngày mà chưa có kết quả giải quyết.".into(),
            consent: true,
            ..Default::default()
        }
    }

    fn errors_of(v: &FeedbackValues) -> FieldErrors {
        validate(v, &choices()).expect_err("must be refused")
    }

    #[test]
    fn a_complete_individual_filing_passes_and_is_normalised() {
        let ok = validate(&good(), &choices()).expect("valid");
        assert_eq!(ok.phone.as_str(), "0983570009");
        assert_eq!(ok.email.as_deref(), Some("an@example.vn"));
        assert_eq!(ok.organization, None);
        assert_eq!(ok.display_name(), "Nguyễn Văn An");
    }

    #[test]
    fn each_missing_field_gets_its_own_error() {
        let empty = FeedbackValues {
            submitter_kind: "individual".into(),
            ..Default::default()
        };
        let names: Vec<&str> = errors_of(&empty).iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "full_name",
                "address",
                "phone",
                "kind",
                "content_category",
                "field",
                "title",
                "content",
                "consent"
            ]
        );
    }

    #[test]
    fn organisations_need_a_name_and_a_representative() {
        let mut v = good();
        v.submitter_kind = "organization".into();
        let names: Vec<&str> = errors_of(&v).iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["organization", "representative"]);
        v.organization = "Công ty TNHH Minh Phát".into();
        v.representative = "Trần Thị Bích".into();
        let ok = validate(&v, &choices()).expect("valid");
        assert_eq!(
            ok.full_name, None,
            "the individual's name is not kept for an organisation"
        );
        assert_eq!(ok.display_name(), "Công ty TNHH Minh Phát");
    }

    #[test]
    fn kien_nghi_needs_a_proposal() {
        let mut v = good();
        v.kind = "kien_nghi".into();
        assert_eq!(
            errors_of(&v),
            vec![("proposal", FieldError::ProposalRequired)]
        );
        v.proposal = "Đề nghị rút ngắn thời gian giải quyết còn 10 ngày.".into();
        assert!(validate(&v, &choices()).is_ok());
    }

    #[test]
    fn sang_kien_is_always_a_kien_nghi() {
        let mut v = good();
        v.content_category = "sang_kien".into();
        assert_eq!(
            errors_of(&v),
            vec![("proposal", FieldError::ProposalRequired)]
        );
        v.proposal = "Ban hành quy định mới về nộp hồ sơ trực tuyến.".into();
        assert_eq!(
            validate(&v, &choices()).expect("valid").kind,
            FeedbackKind::KienNghi
        );
    }

    #[test]
    fn bad_phone_email_and_lengths() {
        let mut v = good();
        v.phone = "12345".into();
        v.email = "not an email".into();
        v.content = "quá ngắn".into();
        v.title = "x".repeat(201);
        assert_eq!(
            errors_of(&v),
            vec![
                ("phone", FieldError::InvalidPhone),
                ("email", FieldError::InvalidEmail),
                ("title", FieldError::TooLong(200)),
                ("content", FieldError::TooShort(20)),
            ]
        );
    }

    #[test]
    fn unknown_choices_are_refused() {
        let mut v = good();
        v.field = "space_travel".into();
        v.content_category = "nope".into();
        v.kind = "khieu_nai".into();
        let names: Vec<(&str, FieldError)> = errors_of(&v);
        assert!(names.contains(&("field", FieldError::InvalidChoice)));
        assert!(names.contains(&("content_category", FieldError::InvalidChoice)));
        assert!(names.contains(&("kind", FieldError::InvalidChoice)));
    }

    #[test]
    fn an_empty_choice_asks_to_choose_not_to_type() {
        let mut v = good();
        v.field = String::new();
        v.content_category = String::new();
        v.kind = String::new();
        v.address = String::new();
        let names: Vec<(&str, FieldError)> = errors_of(&v);
        for choice in ["field", "content_category", "kind"] {
            assert!(
                names.contains(&(choice, FieldError::ChoiceRequired)),
                "{choice}"
            );
        }
        assert!(names.contains(&("address", FieldError::Required)));
        assert_eq!(
            FieldError::ChoiceRequired.message_id(),
            "err-choice-required"
        );
    }

    #[test]
    fn nfd_input_is_stored_as_nfc() {
        let mut v = good();
        v.full_name = "Nguyễn Thị Hoà".nfd().collect();
        v.title = "Thủ tục cấp phép".nfd().collect();
        let ok = validate(&v, &choices()).expect("valid");
        assert_eq!(ok.full_name.as_deref(), Some("Nguyễn Thị Hoà"));
        assert_eq!(ok.title, "Thủ tục cấp phép".nfc().collect::<String>());
    }

    #[test]
    fn checkbox_values() {
        let mut v = FeedbackValues::default();
        v.set("consent", "on".into());
        v.set("publish_consent", String::new());
        assert!(v.consent);
        assert!(!v.publish_consent);
    }

    #[test]
    fn email_plausibility() {
        assert!(is_plausible_email("a.b@so-noivu.angiang.gov.vn"));
        for bad in [
            "",
            "a@b",
            "@b.vn",
            "a b@c.vn",
            "a@.vn",
            "a@b..vn",
            "a@b.vn.",
            // Pass a loose check, cannot be mailed (security review, finding 18).
            "x>,<victim@evil.vn",
            "\"a,b\"@evil.vn",
            "a(comment)@evil.vn",
            ".a@b.vn",
            "a..b@c.vn",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
        for good in ["hoa.nguyen@example.vn", "a+pakn@b.vn", "o'brien@b.vn"] {
            assert!(is_plausible_email(good), "{good}");
        }
    }
}
