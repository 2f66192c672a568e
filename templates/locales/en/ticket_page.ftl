# The staff page of one PAKN: the next step, the actions, reply templates.

## Layout
ticket-status-label = Status
ticket-details = Case details
ticket-unassigned = Not assigned

## The next step
ticket-next-heading = Next step
ticket-next-wait-citizen = Waiting for the sender's additional information. Handling resumes when they answer; if the time to answer runs out, the system closes it with the template reason.
ticket-next-wait-draft = Waiting for the handling officer to draft the reply.
ticket-next-wait-approval = The draft reply is waiting for a leader's approval.
ticket-next-publish = Review and publish the answer
ticket-next-publish-hint = The sender agreed to publication: check the text with personal details masked, then publish it.
ticket-other-actions = Other actions
ticket-danger-heading = End handling without answering the substance
ticket-danger-hint = The actions below end the handling of this feedback at the Department, and the sender is told. Check carefully before going ahead.

## Confirming an action that ends handling
ticket-confirm-reject = I confirm that this feedback is refused.
ticket-confirm-out-of-scope = I confirm that this feedback is outside the Department's remit.
ticket-confirm-transfer = I confirm that this feedback is transferred to another agency; the Department stops handling it.
ticket-confirm-close-duplicate = I confirm that this feedback is closed as a duplicate.
ticket-confirm-withdraw = I confirm that the sender asked to withdraw this feedback.
ticket-err-confirm = Please tick the “I confirm …” box to carry out this action. What you typed is kept.
ticket-confirm-js = This action ends the handling and the sender is told. Continue?

## Templates on the forms
ticket-template-label = Template
ticket-template-choose = — Choose a template —
ticket-template-insert = Insert template
ticket-template-hint = Inserting a template replaces the text being written; then fill in the “…” parts.
ticket-draft-hint = Write the reply to the sender. You may attach the signed letter (PDF).

## The approval form
ticket-required-note = Fields marked * are required.
ticket-required = required
ticket-approve-err = Cannot approve yet: please check the marked fields.
ticket-approve-err-number = Please enter the number and symbol of the reply letter.
ticket-approve-err-date = Please enter the date of issue (day/month/year).
ticket-approve-err-date-invalid = The date of issue is not valid; please enter it as day/month/year.
ticket-approve-err-signer = Please enter who signs the reply letter.

## Admin: reply templates
admin-reply-templates = Reply templates
admin-reply-templates-about = Templates of replies and of requests for more information that officers choose when writing.
admin-reply-templates-intro = Text officers insert into a draft reply or a request for more information, then adapt to each case. A template for one area shows only on feedback of that area. The text is inserted in the sender's language.
admin-reply-templates-new = Add a reply template
admin-reply-templates-edit = Edit reply template
admin-entity-reply-template = Reply template
reply-template-purpose = Used for
reply-template-purpose-reply = Draft reply
reply-template-purpose-needs-info = Request for more information
reply-template-all-fields = Every area
reply-template-body-vi = Text in Vietnamese
reply-template-body-en = Text in English
reply-template-field-hint = Leave “Every area” for a template used everywhere.
