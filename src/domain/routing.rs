//! Routing rules as data: ordered, the first active rule whose content categories and
//! lĩnh vực contain the ticket's (an empty list matches anything) wins; the default rule
//! applies only when no other rule matches.

/// What a rule matches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    pub categories: Vec<String>,
    pub fields: Vec<String>,
    pub is_default: bool,
}

impl RuleSpec {
    fn matches(&self, category: &str, field: &str) -> bool {
        !self.is_default
            && (self.categories.is_empty() || self.categories.iter().any(|c| c == category))
            && (self.fields.is_empty() || self.fields.iter().any(|f| f == field))
    }
}

/// Index of the rule that applies, given rules in evaluation order.
///
/// Rules that match on content category are tried before rules that match only on
/// lĩnh vực (domain.md: "by content category, then by lĩnh vực"); within each group the
/// given order holds.
pub fn first_match(rules: &[&RuleSpec], category: &str, field: &str) -> Option<usize> {
    let by_category = rules
        .iter()
        .position(|r| !r.categories.is_empty() && r.matches(category, field));
    by_category
        .or_else(|| {
            rules
                .iter()
                .position(|r| r.categories.is_empty() && r.matches(category, field))
        })
        .or_else(|| rules.iter().position(|r| r.is_default))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(categories: &[&str], fields: &[&str], is_default: bool) -> RuleSpec {
        RuleSpec {
            categories: categories.iter().map(|s| s.to_string()).collect(),
            fields: fields.iter().map(|s| s.to_string()).collect(),
            is_default,
        }
    }

    fn shipped() -> Vec<RuleSpec> {
        vec![
            spec(&[], &["to_chuc_bo_may", "can_bo_cong_chuc"], false),
            spec(&["cham_tre_phien_ha"], &[], false),
            spec(&[], &["viec_lam", "bao_hiem_xa_hoi"], false),
            spec(&[], &[], true),
        ]
    }

    #[test]
    fn category_rules_win_over_field_rules() {
        let rules = shipped();
        let refs: Vec<&RuleSpec> = rules.iter().collect();
        // A delay by an official about a civil-service matter goes to inspection.
        assert_eq!(
            first_match(&refs, "cham_tre_phien_ha", "can_bo_cong_chuc"),
            Some(1)
        );
        assert_eq!(
            first_match(&refs, "khong_phu_hop", "can_bo_cong_chuc"),
            Some(0)
        );
        assert_eq!(first_match(&refs, "khac", "viec_lam"), Some(2));
    }

    #[test]
    fn default_only_when_nothing_matches() {
        let rules = shipped();
        let refs: Vec<&RuleSpec> = rules.iter().collect();
        assert_eq!(first_match(&refs, "khac", "ton_giao"), Some(3));
        let no_default = [&rules[0], &rules[1]];
        assert_eq!(first_match(&no_default, "khac", "ton_giao"), None);
    }

    #[test]
    fn both_lists_must_match() {
        let rule = spec(&["sang_kien"], &["viec_lam"], false);
        assert_eq!(first_match(&[&rule], "sang_kien", "viec_lam"), Some(0));
        assert_eq!(first_match(&[&rule], "sang_kien", "ton_giao"), None);
    }
}
