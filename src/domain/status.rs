//! Ticket statuses (domain.md, "Statuses"). The moves between them live in the workflow
//! module; here are the codes, their message ids and their grouping.

crate::text_code! {
    pub enum Status {
        Submitted = "submitted",
        NeedsInfo = "needs_info",
        Rejected = "rejected",
        OutOfScope = "out_of_scope",
        Accepted = "accepted",
        Transferred = "transferred",
        InProgress = "in_progress",
        PendingApproval = "pending_approval",
        Answered = "answered",
        Closed = "closed",
    }
}

impl Status {
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
        for &s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("deleted"), None);
        assert_eq!(
            Status::PendingApproval.label_id(),
            "status-pending-approval"
        );
    }
}
