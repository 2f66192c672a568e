# Publication of answers: the public list /answers, one answer, the staff page that
# reviews and publishes the public copy, and the mail to the citizen.

## Public pages
answers-heading = Answers to feedback and recommendations
answers-intro = Feedback and recommendations that have been answered and whose senders agreed to publication. Personal data (names, addresses, phone numbers, emails, ID numbers) has been hidden.
answers-search = Search by keyword
answers-all-fields = All fields
answers-year = Year answered
answers-all-years = All years
answers-filter = Search
answers-clear = Clear filters
answers-none-found = No answers match.
answers-none-yet = No answers have been published yet.
answers-pages = Result pages
answers-first-page = First page
answers-next-page = Next page
answers-answered-on = Answered on
answers-back = All answers
answers-question = The feedback or recommendation
answers-answer = The answer
answers-masked-note = The sender's personal data was hidden before publication.
answers-print = Print this page

## Staff page
answers-staff-heading = Publish the answer
answers-back-to-ticket = Back to the PAKN
answers-view-public = View the public page
answers-staff-hint = The public copy is made from the title, the content and the reply, with personal data hidden automatically. Read it carefully and correct it before publishing.
answers-copy-title = Public title
answers-save = Save draft
answers-save-published = Save and update the published copy
answers-publish = Publish
answers-unpublish = Unpublish
answers-unpublish-hint = Unpublish: the answer leaves the public pages (the reviewed copy is kept).
answers-reply = Official reply
answers-state-none = No public copy yet (automatic draft, not saved)
answers-state-draft = Draft saved, not published
answers-state-published = Published since { $date }
answers-state-unpublished = Unpublished on { $date }
answers-done-saved = Draft saved.
answers-done-published = The answer is published.
answers-done-updated = The published copy is updated.
answers-done-unpublished = Unpublished.
answers-done-not-published = This answer is not published.
answers-error-empty = This field must not be empty.
answers-error-too-long = This field is longer than { $max } characters.
answers-own-data-left = The public copy still contains the sender's personal data ({ $kinds }). Remove it or replace it with [đã ẩn] before publishing.
answers-other-data-left = The public copy contains details that look like personal data. Check them (keep only the department's own phone numbers and addresses):
answers-kind-name = name
answers-kind-organization = organisation name
answers-kind-address = address
answers-kind-phone = phone number
answers-kind-email = email
answers-kind-id = ID number
answers-kind-other = tracking code
answers-refused-confidential = Cannot be published: this PAKN is marked confidential.
answers-refused-rejected = Cannot be published: this PAKN was refused.
answers-refused-out-of-scope = Cannot be published: this PAKN is out of scope.
answers-refused-no-consent = Cannot be published: the sender did not agree to publication.
answers-refused-not-answered = Cannot be published yet: this PAKN has not been answered.
answers-refused-no-approved-reply = Cannot be published yet: no reply has been approved by a leader.

## Mail to the citizen
answers-mail-subject = [PAKN { $code }] The answer has been published
answers-mail-intro = The answer to your feedback or recommendation { $code } has been published on the website of { $site }, as you agreed.
answers-mail-where = See the public copy at:
answers-mail-button = View the published answer
answers-mail-masked = Your name, address, phone number, email and ID numbers were hidden. If the public copy still shows personal data, please contact the department to have it removed.
answers-mail-private = Your private tracking page (do not share it):

## Links from the home page and the footer
nav-answers = Published answers
home-answers-link = Read answered PAKN made public
