//! Ticket statuses (domain.md, "Statuses"). The moves between them live in the workflow
//! module; here are the codes, their message ids and their grouping.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Submitted,
    NeedsInfo,
    Rejected,
    OutOfScope,
    Accepted,
    Transferred,
    InProgress,
    PendingApproval,
    Answered,
    Closed,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::NeedsInfo,
        Status::Rejected,
        Status::OutOfScope,
        Status::Accepted,
        Status::Transferred,
        Status::InProgress,
        Status::PendingApproval,
        Status::Answered,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::NeedsInfo => "needs_info",
            Status::Rejected => "rejected",
            Status::OutOfScope => "out_of_scope",
            Status::Accepted => "accepted",
            Status::Transferred => "transferred",
            Status::InProgress => "in_progress",
            Status::PendingApproval => "pending_approval",
            Status::Answered => "answered",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The message id of the label of domain.md ("Chờ tiếp nhận", …).
    pub fn label_id(self) -> String {
        format!("status-{}", self.as_str().replace('_', "-"))
    }

    /// The message id of the plain-words explanation for citizens.
    pub fn explain_id(self) -> String {
        format!("status-{}-explain", self.as_str().replace('_', "-"))
    }

    /// Terminal statuses: nothing more happens here.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Rejected | Status::OutOfScope | Status::Transferred | Status::Closed
        )
    }

    /// Statuses whose reply deadline still runs (counted as overdue / due soon).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Submitted
                | Status::NeedsInfo
                | Status::Accepted
                | Status::InProgress
                | Status::PendingApproval
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("deleted"), None);
        assert_eq!(
            Status::PendingApproval.label_id(),
            "status-pending-approval"
        );
    }
}
