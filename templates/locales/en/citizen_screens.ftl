# Issue 17 (citizen): the public top navigation, the boxes of the track page, the private
# link card, the printed heading, the sending state of forms, the staff-issued receipt.

citizen-nav-label = Main sections
citizen-nav-file = Send feedback
citizen-nav-track = Track
citizen-nav-answers = Answers
citizen-nav-directory = Contacts

# The print-only heading of the receipt and the track page.
print-national-1 = SOCIALIST REPUBLIC OF VIETNAM
print-national-2 = Independence - Freedom - Happiness
print-place-date = { $place }, { $day }/{ $month }/{ $year }
print-date = { $day }/{ $month }/{ $year }

# The private link card (the citizen's key).
citizen-key-heading = Your private link
citizen-key-advice = Keep this link or bookmark this page: it is your key to follow your feedback, add information and rate the result. Do not share it with anyone.
citizen-key-copy = Copy the link
citizen-key-copied = The link was copied.
citizen-key-copy-failed = The link could not be copied; select it and copy it by hand.

# The officer's question, above the form that answers it.
citizen-asked-heading = The agency asks you to add:
citizen-asked-on = Asked on
citizen-asked-no-text = The agency did not write what to add; please call the hotline for help.
citizen-asked-clock-paused = The reply deadline is paused while we wait for your information and resumes when you send it.
citizen-asked-clock-running = The reply deadline keeps running while we wait for your information.
citizen-asked-answer-link = Send the information

# Why a PAKN ended unanswered, and what the citizen can do now.
citizen-ended-heading-rejected = Why it was not accepted
citizen-ended-heading-out-of-scope = Why it is out of scope
citizen-ended-heading-transferred = Sent to the competent body
citizen-ended-at = Decided at: { $at }
citizen-now-heading = What you can do now
citizen-now-rejected-refile = If information was missing, you can send new feedback with everything that was missing.
citizen-now-complaints = Complaints and denunciations are not handled here; send them to the competent bodies below.
citizen-now-out-of-scope-body = Send this to the competent body: { $body }.
citizen-now-out-of-scope-unknown = Send this to the body competent under the law.
citizen-now-agency-unknown = the competent body
citizen-now-transferred = Your feedback was sent to { $agency }, which will consider it and answer you. You may contact that body directly.
citizen-now-transferred-reference = When you do, quote the transfer letter no. { $reference }.
citizen-now-transferred-reference-dated = When you do, quote the transfer letter no. { $reference } of { $date }.
citizen-now-hotline = Questions? Call the hotline { $phone }.
citizen-now-file-again = Send new feedback

# The receipt a staff member prints and hands over (giấy biên nhận).
paper-receipt-title = RECEIPT OF FEEDBACK
paper-receipt-intro = { $site } has received feedback with the following details:
paper-receipt-sender = Sender
paper-receipt-person = Mr/Ms { $name }
paper-receipt-organization = { $organization } (represented by Mr/Ms { $name })
paper-receipt-received = Received at
paper-receipt-accept-due = To be accepted and classified by
paper-receipt-reply-due = Reply due by (expected)
paper-receipt-follow-heading = How to follow it
paper-receipt-follow-code = The sender looks it up with the code above and the phone number or email given, at:
paper-receipt-follow-link = Or opens this private link (not to be shared):
paper-receipt-follow-mail = If the sender gave an email, the result is sent there.
paper-receipt-signer-sender = Sender
paper-receipt-signer-officer = Receiving officer
paper-receipt-sign-hint = (Signature and full name)

# Forms being sent (JavaScript only), and the browser's own message for an empty choice.
citizen-sending = Sending…
# { percent } is replaced in the browser; keep it as written.
citizen-sending-progress = Sending… {"{"}percent{"}"}%
citizen-send-failed = Not sent: the network connection was interrupted. What you typed is still here; please try again.
citizen-choose-one = Please choose an option.
