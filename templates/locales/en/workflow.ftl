# Handling a PAKN: actions, timeline events, error messages, update mail.

## Timeline events
event-accept = Accepted and classified
event-ask-info = More information requested
event-answer-info = The sender supplied information
event-expire-info = Time to supply information ran out
event-reject = Refused
event-out-of-scope = Out of scope
event-transfer = Transferred to the competent agency
event-start-work = Handling started
event-submit-draft = Draft reply submitted for approval
event-return-draft = Draft returned
event-approve = Reply approved and sent
event-withdraw = Withdrawn by the sender
event-close-duplicate = Closed as a duplicate
event-close = Closed
event-auto-close = Closed automatically after the rating period
event-reopen = Reopened for handling
event-assign = Handler assigned
event-citizen-message = Further message from the sender (by email)
event-internal-note = Internal note
event-progress-note = Progress update
event-publish = Answer published
event-unpublish = Answer unpublished
event-rating = The sender rated the answer
event-confidential = Confidentiality changed

## Action names (buttons, form headings)
action-accept = Accept and classify
action-ask-info = Ask for more information
action-reject = Refuse
action-out-of-scope = Out of scope
action-transfer = Transfer to the competent agency
action-start-work = Start handling
action-submit-draft = Submit a draft reply
action-return-draft = Return the draft
action-approve = Approve and send the reply
action-close-duplicate = Close as a duplicate
action-close = Close
action-reopen = Reopen
action-assign = Assign
action-internal-note = Internal note
action-progress-note = Progress update for the sender
action-confidential = Confidential (denunciation)

## Move errors
move-err-not-from = This action is not possible in the PAKN's current status.
move-err-not-yours = You may not take this action.
move-err-missing-classification = Choose the field, type, urgency, unit and handler.
move-err-missing-question = Enter what the citizen should supply.
move-err-missing-citizen-answer = Enter the information or attach a file.
move-err-missing-template-reason = Choose a reason from the templates.
move-err-missing-reason = Give a reason.
move-err-missing-competent-body = Name the competent agency.
move-err-missing-transfer-target = Enter the receiving agency, the transfer reference and its date.
move-err-missing-draft-reply = Enter the text of the draft reply.
move-err-missing-reply-document = Enter the reply's number and symbol, its date and its signer.
move-err-missing-duplicate-of = Enter the code of the PAKN it duplicates.
move-err-no-previous = The status before the request for information is unknown.
handling-err-too-long = The text is too long.
handling-err-too-large = The attachments are over the size limit.
handling-err-field = Unknown field.
handling-err-unit = Unknown handling unit.
handling-err-classification = Unknown type or urgency.
handling-err-assignee = The handler must be an officer of the handling unit or a leader.
handling-err-date = Invalid date (dd/mm/yyyy).
handling-err-no-draft = No draft is waiting for approval.
handling-err-duplicate-unknown = No PAKN has this code.
handling-err-duplicate-self = A PAKN cannot duplicate itself.
handling-err-reopen-window = The time to reopen this PAKN is over.
handling-err-note-empty = Enter the text.
handling-err-terminal = This PAKN has ended.
handling-err-unknown-action = Unknown action.
handling-expired-default-reason = The sender did not supply the requested information in time.

## Ticket page
handling-actions = Handling
handling-done = Done: { $what }.
handling-no-actions = You have no actions on this PAKN.
handling-question = What the citizen should supply (sent to them)
handling-reason = Reason
handling-reason-template = Reason from a template
handling-competent-body = Competent agency
handling-transfer-agency = Receiving agency
handling-transfer-reference = Transfer reference
handling-transfer-date = Transfer date
handling-answer-by = Supply by
handling-duplicate-of = Duplicate of PAKN code
handling-urgency = Urgency
urgency-normal = Normal
urgency-urgent = Urgent
urgency-complex = Complex
handling-draft-body = Reply text
handling-draft-files = Signed reply letter (files)
handling-reply-heading = Official reply
handling-reply-number = Number and symbol
handling-reply-date = Date
handling-reply-signer = Signed by
handling-pending-reply = Draft waiting for approval
handling-replies = Replies
handling-returned-because = Returned because
reply-state-draft = Draft
reply-state-pending = Waiting for approval
reply-state-returned = Returned
reply-state-approved = Approved and sent
handling-note = Text
handling-progress-hint = The sender reads this on the tracking page and by email.
handling-internal-hint = Only staff read this note.
handling-confidential-hint = Confidential content is read only by leaders and the handling unit; inspectors and admins only see that the PAKN exists.
handling-confidential-on = Keep the content confidential
handling-progress-due = The reply is overdue: update the sender on progress before { $date }.
handling-progress-late = The reply is overdue and so is the progress update (due { $date }).
handling-publication-link = Publish the answer
handling-status = Status

## Text in mail
handling-text-accept = Text
handling-text-ask-info = Information requested
handling-text-answer-info = Information supplied
handling-text-expire-info = Reason
handling-text-reject = Reason for refusal
handling-text-out-of-scope = Reason
handling-text-transfer = Text
handling-text-start-work = Text
handling-text-submit-draft = Text
handling-text-return-draft = Reason for returning
handling-text-approve = Text
handling-text-withdraw = Reason for withdrawing
handling-text-close-duplicate = Text
handling-text-close = Text
handling-text-auto-close = Text
handling-text-reopen = Reason for reopening
handling-text-assign = Text
handling-text-citizen-message = Message
handling-text-internal-note = Note
handling-text-progress-note = Progress update
handling-text-confidential = Reason

## Update mail
mail-update-subject = [PAKN { $code }] { $what }
mail-update-intro = PAKN { $code } has an update: { $what }.
mail-update-rate = Please rate how it was resolved on the tracking page (open the link above).

## Ratings
rating-satisfied = Satisfied
rating-neutral = Neutral
rating-unsatisfied = Not satisfied
rating-not-resolved = The sender says the PAKN has not been resolved.
rating-err-not-answered = A rating can be given only after the official reply.

## The sender's actions on the track page
citizen-actions-heading = What you can do
citizen-answer-heading = Supply the requested information
citizen-answer-text = Information
citizen-answer-files = Documents
citizen-answer-files-hint = Up to { $count } files: JPG, PNG, PDF, DOC(X), XLS(X).
citizen-answer-submit = Send the information
citizen-rate-heading = Rate how it was resolved
citizen-rate-question = Are you satisfied with the answer?
citizen-rate-not-resolved = Not resolved: please look at it again
citizen-rate-comment = Comment (optional)
citizen-rate-submit = Send the rating
citizen-rated = You rated it
citizen-withdraw-heading = Withdraw this PAKN
citizen-withdraw-hint = Once withdrawn, the department stops handling it.
citizen-withdraw-reason = Reason for withdrawing
citizen-withdraw-submit = Withdraw
citizen-done-answer = Your information was sent. The department continues handling your PAKN.
citizen-done-withdraw = You withdrew this PAKN.
citizen-done-rate = Thank you for your rating.
rating-err-choose = Please choose a rating.
rating-err-already = This answer has already been rated.

staff-undelivered = Mail not delivered
staff-undelivered-intro = The mail server refused the recipients below for good; the mail still reached its other recipients. Correct the address or reach them another way.
staff-undelivered-hidden = (address hidden)
staff-undelivered-reply = Mail server's answer
mail-kind-ack = Acknowledgement to the sender
mail-kind-notify = New PAKN notification
mail-kind-published = Publication of the answer
mail-kind-forgot-codes = Tracking codes sent again
mail-kind-privacy-request = Personal data request
mail-kind-update = Notice: { $event }
