# The citizen's side after filing: the track page, lookup, forgotten codes, the
# directory, the visitor counter, the privacy notice. Same ids as vi/track.ftl.

nav-track = Track a PAKN
nav-directory = PAKN contacts
nav-privacy = Personal data
footer-nav = Links
privacy-read-full = Read the full personal data processing notice

## Track page
track-heading = Follow your feedback
track-needs-info-due = Information due by
track-due-on-time = On time
track-due-soon = Due soon
track-due-overdue = Overdue
track-answered-on-time = Answered on time
track-answered-late = Answered late
track-reply-heading = Official reply
track-reply-earlier = Earlier reply
track-reply-number = Number and symbol
track-reply-date = Date
track-reply-signer = Signed by
track-reply-files = Files of the reply
track-timeline-heading = Progress
track-timeline-empty = Nothing has happened yet.
track-event-update = Update
track-actor-citizen = Sender
track-actor-system = System
track-actor-staff = Handling officer
track-competent-body = Competent body
track-agency = Receiving agency
track-reference = Reference
track-date = Date
track-duplicate-of = Duplicate of
track-print = Print this page
track-rating = Rating
track-rate-latest = This PAKN was answered again. This rating is for the latest reply.

## Lookup by code
track-box-heading = Track a PAKN
track-box-intro = Enter the tracking code and the phone number or email you gave when filing.
track-label-code = Tracking code
track-hint-code = 10 characters, for example AB12-CD34-EF; upper or lower case.
track-label-contact = Phone number or email
track-hint-contact = The phone number or email you gave when filing.
track-submit = Track
track-forgot-link = Forgot your tracking code?
track-not-found = No feedback was found with this code and contact. Please check them and try again.
track-limited = Too many lookups in a short time. Please try again in a few minutes, or open the private link in your confirmation email.
track-form-expired = The form was open too long. What you typed is kept; please submit again.
track-form-invalid = The form is no longer valid. What you typed is kept; please submit again.

## Forgotten code
forgot-heading = Forgot your tracking code?
forgot-intro = Enter the email you gave when filing. We will send to that address the tracking codes and private links of all feedback filed with it.
forgot-submit = Email me my tracking codes
forgot-sent = Your request was received. If this address was used to file feedback, an email listing the tracking codes and private links will arrive within minutes.
forgot-sent-hint = If it does not arrive, please check your spam folder, or call the receiving phone number.
forgot-back = Back to tracking
forgot-no-email = If you gave no email when filing, please call the receiving phone number for help.
mail-forgot-subject = Your PAKN tracking codes
mail-forgot-intro = As requested from the tracking page, here { $count ->
        [one] is the feedback
       *[other] are the { $count } items of feedback
    } filed with this email address.
mail-forgot-keep = Each link is a private link for following your feedback; please do not share it.
mail-forgot-not-you = If you did not ask for this email, please ignore it; nothing has been changed.

## Directory
directory-heading = PAKN receiving contacts
directory-intro = Phone numbers and emails that receive feedback on administrative procedures, and the department's hotline.
directory-receiving-note = Call or email to give feedback on administrative rules and how procedures are carried out.
directory-hotline-note = The hotline for reports on the conduct of the home affairs sector's officials.
directory-not-here = Complaints, denunciations and requests for legal advice are not handled through these contacts.
directory-link = See all PAKN receiving contacts

## Visitor counter
counter-heading = Visits
counter-total = Visits
counter-today = Today
counter-online = Online now

## Personal data processing notice
privacy-heading = Personal data processing notice
privacy-version = Version { $version }
privacy-intro = { $site } processes the personal data of people who send feedback under the Personal Data Protection Law No. 91/2025/QH15 and Decree 356/2025/ND-CP. This notice says what is collected, why, who sees it, how long it is kept and how to exercise your rights.
privacy-what-heading = What is collected
privacy-what-identity = About the sender: full name (or the organisation's name and its representative), contact address, phone number, email.
privacy-what-content = The feedback and the files you send, and any later exchanges.
privacy-what-technical = Minimal technical data: when you filed; to prevent abuse and to count visits, IP addresses are only used as a keyed hash that changes daily and are never stored as such. Public pages set only a cookie that remembers your language.
privacy-what-never = We never ask for citizen ID numbers or images of identity documents.
privacy-why-heading = Purpose and legal basis
privacy-why = The data is used only to receive, classify, handle and answer feedback and to contact you when more information is needed, under Decree 20/2008/ND-CP (amended by Decree 92/2017/ND-CP). It is never used for advertising, sold or shared for commercial purposes.
privacy-why-publish = The content is published only with your consent (which you may withdraw), as a copy reviewed by staff with names, phone numbers, emails, addresses and ID numbers removed.
privacy-who-heading = Who sees the data
privacy-who-staff = Officers of the handling unit, the leaders who approve replies, and the public-service inspection team (as auditors). Every staff view of personal data is recorded.
privacy-who-mail = Contacts notified by email receive a summary without your phone number, email or address.
privacy-who-transfer = When the feedback belongs to another body, it is forwarded to that body to be resolved.
privacy-who-public = Personal data is never published.
privacy-how-long-heading = How long it is kept
privacy-how-long = The data is kept for { $years } years after the feedback ends: when it is closed (when the rating period after the answer is over, when you withdraw it, or as a duplicate of other feedback), rejected, found out of scope or transferred to another agency. While it is being handled, or answered but not yet closed, the period has not started; if it is reopened, the period starts again from its next end.
privacy-rights-heading = Your rights and how to use them
privacy-rights = You may be informed, ask for access to, correction or deletion of your data, restrict or object to its processing, withdraw consent, and complain or sue as the law provides.
privacy-rights-how = Send a request with the form below or through the contacts in the PAKN directory. Requests are answered within { $days } working days.
privacy-security-heading = Security
privacy-security = The data is kept on the department's systems, access is limited by role and unit, and a private tracking link can be revoked if it leaks.
privacy-form-heading = Send a request about your personal data
privacy-form-intro = Say what you want and how to reach you; if it concerns a PAKN, give its tracking code.
privacy-label-kind = Kind of request
privacy-kind-access = Access: see my data
privacy-kind-correction = Correct my data
privacy-kind-deletion = Delete my data
privacy-kind-objection = Object, restrict processing or withdraw consent
privacy-kind-other = Other
privacy-label-name = Full name
privacy-label-contact = Phone number or email for the answer
privacy-hint-contact = For example 0983 570 009 or name@example.vn.
privacy-label-body = Your request
privacy-hint-body = At least 10 characters. Give the tracking code if any; do not give ID numbers.
privacy-submit = Send the request
privacy-sent = Your request was received and will be answered within { $days } working days.
privacy-err-contact = Please enter a valid phone number or an email, for example name@example.vn.
privacy-request-number = Request number
privacy-received = Received at
privacy-due = Answer due
mail-privacy-subject = [Personal data] Request { $id }, answer due { $due }
mail-privacy-intro = A personal data request was just received from the privacy notice page.
mail-privacy-duty = Under Decree 356/2025/ND-CP it must be answered within 2 working days. Please contact the requester and record the outcome.
track-duplicate-earlier = a PAKN received earlier
