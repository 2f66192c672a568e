//! Mail that comes in: where a stored message came from, where it stands, and what
//! processing made of it (the codes of `inbound_mail`).

crate::text_code! {
    /// How a message reached pakn.
    pub enum InboundSource {
        /// `pakn mail receive`, run by the MTA's pipe transport.
        Pipe = "pipe",
        /// The IMAP poller.
        Imap = "imap",
    }
}

crate::text_code! {
    /// Where a stored message stands.
    pub enum InboundState {
        /// Stored, not processed yet (or to be tried again).
        New = "new",
        /// Became what its outcome says.
        Done = "done",
        /// Waits for staff review (unknown sender, token that does not verify, a limit).
        Held = "held",
        /// Automatic mail: nothing to do.
        Ignored = "ignored",
        /// Refused (too large, too many files); the sender was told.
        Refused = "refused",
        /// Processing failed every try; staff may try again.
        Failed = "failed",
    }
}

crate::text_code! {
    /// What processing made of a message.
    pub enum InboundOutcome {
        /// The citizen's message on the PAKN its reply address names.
        CitizenMessage = "citizen_message",
        /// The citizen's answer to a request for information.
        AnswerInfo = "answer_info",
        /// A staff member's internal note.
        InternalNote = "internal_note",
        /// A new PAKN waiting to be completed.
        Intake = "intake",
        /// A delivery status notification, recorded on the outbox row it is about.
        Bounce = "bounce",
        /// An auto-reply, vacation notice or list mail.
        Automatic = "automatic",
        /// Larger than `[mail.inbound] max_bytes`.
        TooLarge = "too_large",
        /// More files than allowed.
        TooManyFiles = "too_many_files",
        /// Past the per-sender or per-PAKN hourly limit.
        RateLimited = "rate_limited",
        /// The reply address's token does not verify.
        BadToken = "bad_token",
        /// The sender is not who the PAKN knows.
        UnknownSender = "unknown_sender",
        /// Names no PAKN and was not sent to the intake address.
        Unmatched = "unmatched",
        /// The PAKN is finished: nothing in a mail can change it.
        Closed = "closed",
        /// Nothing readable in it.
        Empty = "empty",
        /// Not a mail message.
        Unreadable = "unreadable",
        /// Staff discarded it.
        Discarded = "discarded",
    }
}

impl InboundOutcome {
    /// The message id of its label on the staff screens.
    pub fn label_id(self) -> String {
        format!("inbound-outcome-{}", self.as_str().replace('_', "-"))
    }
}

impl InboundState {
    pub fn label_id(self) -> String {
        format!("inbound-state-{}", self.as_str())
    }
}
