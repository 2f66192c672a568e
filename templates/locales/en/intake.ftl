# Issue 16: PAKN sent by email that wait to be completed ("chờ hoàn thiện"), the
# acknowledgement to their sender, and the staff's screens for inbound mail.
intake-ack-subject = We received your mail – it is not yet a feedback or recommendation
intake-ack-received = We received your mail “{ $subject }” at { $when }.
intake-ack-not-yet = This mail has not yet been accepted as a feedback or recommendation (PAKN). By law, a PAKN must state the sender's full name, address, phone number, and email or postal address. Your mail still lacks:
intake-ack-email-known = Your email address has been recorded.
intake-ack-how = Please reply to this mail with the missing details, or send your PAKN with the online form: { $url }
intake-ack-next = Once the details are complete, staff will accept the PAKN and send you its tracking code.
intake-missing-name = Your full name
intake-missing-address = Your contact address
intake-missing-phone = Your phone number
intake-nav = Mail to complete
intake-list-title = PAKN by email waiting to be completed
intake-list-intro = Mail sent to the intake address is not a PAKN yet: it has no code, no deadline and is not in the PAKN queue until staff complete and accept it.
intake-list-count = { $count ->
    [0] No mail is waiting.
    [one] 1 mail is waiting to be completed.
   *[other] { $count } mails are waiting to be completed.
}
intake-col-received = Received
intake-col-sender = Sender
intake-col-subject = Subject
intake-col-missing = Missing
intake-no-subject = (no subject)
intake-open = View and complete
intake-item-title = Complete a PAKN received by email
intake-mail = The mail received
intake-mail-from = From
intake-mail-received = Received
intake-mail-subject = Subject
intake-mail-files = Attachments
intake-mail-no-files = No attachments.
intake-file-kept = will be saved with the PAKN
intake-file-left = not an accepted file type or size; it will not be saved
intake-form = The PAKN
intake-form-hint = Add what Article 7 requires and the mail lacks (full name, address, phone number), and choose the kind, content category and field. The PAKN is filed with channel email, received when the mail was.
intake-accept = Accept as a PAKN
intake-spam = Mark as spam
intake-spam-hint = Spam is not filed and its sender is not told.
intake-back = Back to the mail waiting
intake-decided-accepted = This mail was accepted as PAKN { $code }.
intake-decided-spam = This mail was marked as spam.
intake-done-spam = The mail was marked as spam.
inbound-review-title = Inbound mail for staff review
inbound-review-intro = Inbound mail held or failed. “Process again” puts it back in the processing queue; “Discard” marks it as seen and does nothing else.
inbound-review-none = No mail needs review.
inbound-review-col-received = Received
inbound-review-col-state = State
inbound-review-col-outcome = Outcome
inbound-review-col-size = Size
inbound-review-col-attempts = Attempts
inbound-review-col-actions = Actions
inbound-review-retry = Process again
inbound-review-discard = Discard
inbound-review-done-retry = The mail was put back in the processing queue.
inbound-review-done-discard = The mail was discarded.
inbound-review-gone = This mail no longer waits for review.
inbound-review-nav = Inbound mail to review
