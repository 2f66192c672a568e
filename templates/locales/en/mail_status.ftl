## Issue 15, part 6: failed mail in sight and fixable from the web.

## The ticket page's mail card.
mail-card-heading = Mail
mail-card-intro = Every mail about this PAKN, newest first, and where each one stands.
mail-card-empty = No mail about this PAKN yet.
mail-card-hidden = Addresses are partly hidden: you may not see the sender's personal data.
mail-to = To
mail-state-queued = Waiting to be sent
mail-state-retrying = Being retried
mail-state-sent = Sent
mail-state-failed = Could not be sent
mail-queued-at = Queued at { $at }, not tried yet
mail-retrying-detail = { $attempts ->
        [one] Tried once
       *[other] Tried { $attempts } times
    }; next attempt at { $next }
mail-sent-at = Sent at { $at }
mail-failed-at = Given up at { $at }
mail-server-answer = Mail server's answer
mail-refused = Refused for good by the mail server
mail-kind-inbound-refusal = Refusal of an inbound mail
mail-kind-intake-ack = Receipt of a PAKN by email waiting to be completed
mail-kind-notify-staff = New PAKN notice to other staff
mail-kind-notify-unit = New PAKN notice to the handling unit
mail-kind-moved-unit = PAKN moved to the unit
mail-kind-moved-staff = PAKN moved: notice to other staff
mail-kind-new-link = New private link to the sender
mail-kind-reminder = Deadline reminder
mail-kind-digest = Periodic digest
mail-kind-privacy-answer = Answer to a personal data request
mail-kind-role-change = Change of an account's roles

## Correcting the citizen's address from the ticket page.
mail-fix-heading = Correct the sender's email address and send again
mail-fix-hint = Mail to the sender did not reach { $email }. If the address was mistyped (ask the sender, by phone for instance), enter the right one: the mail that did not reach the sender goes again to the new address. The correction is recorded in the timeline, for staff only.
mail-fix-label = Correct email address
mail-fix-submit = Correct the address and send again
mail-fix-err-empty = Please enter the new email address.
mail-fix-err-email = This email address is not valid. Please check it, e.g. name@example.vn.
mail-fix-err-same = The new address is the same as the current one. If it is right, ask an administrator to send the mail again.
mail-fix-err-no-email = The sender gave no email address.
mail-fix-err-gone = This PAKN has been anonymised; its address cannot be corrected.
event-email-corrected = Sender's email address corrected

## The admin page of mail in trouble.
admin-mail = Failed and long-pending mail
admin-mail-about = Mail that could not be sent and mail waiting too long; send it again, one by one or all.
admin-mail-intro = Mail given up (no recipient received it) and mail waiting more than { $minutes } minutes, newest first, at most { $limit }. Addresses are partly hidden; open the PAKN to see them in full (if you may).
admin-mail-empty = No failed or long-pending mail.
admin-mail-col-code = PAKN code
admin-mail-col-kind = Kind of mail
admin-mail-col-to = To
admin-mail-col-state = State
admin-mail-col-attempts = Attempts
admin-mail-col-answer = Mail server's answer
admin-mail-col-action = Action
admin-mail-no-ticket = (not about a PAKN)
admin-mail-retry = Send again
admin-mail-retry-all = Send all failed mail again ({ $count })
admin-mail-retried = { $count } mail(s) queued again; they go out within minutes.
admin-mail-nothing = Nothing to send again: the mail was sent or is already queued.
admin-entity-outbox = Mail
admin-entity-ticket = PAKN
admin-action-mail-retry = Mail sent again
admin-action-mail-retry-all = All failed mail sent again
admin-action-email-correct = Sender's email address corrected

## The receipt and the track page: the acknowledgement's fate.
receipt-ack-pending = A confirmation with your tracking code will be mailed to { $to }.
receipt-ack-sent = A confirmation with your tracking code has been mailed to { $to }.
receipt-ack-failed-heading = The confirmation could not be mailed
receipt-ack-failed = The confirmation could not be mailed to { $to }: the mail server of this address refused it.
receipt-ack-failed-keep = Your PAKN has been filed and is handled as usual. Keep the private link of this page (or print it) and write down the tracking code above to follow it.
receipt-ack-failed-check = Check the email address you gave: it may be mistyped.
receipt-ack-failed-hotline = Call the hotline { $phone } to give the right address; staff will correct it and send the mail again.
receipt-ack-failed-contact = Contact the receiving office (see the Directory page) to give the right address; staff will correct it and send the mail again.
