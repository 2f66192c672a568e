# Issue 14: retention and data-subject requests handled (staff screen /staff/privacy).

role-privacy = Data protection officer
staff-nav-privacy = Personal data requests

privacy-how-long-what = When that period is over, the system anonymises the feedback automatically: it deletes the name, the organisation and its representative, the address, phone number, email, dossier code, what you wrote, the messages exchanged, every attached file, the mail sent about it and the private tracking link. The title, content and reply are replaced by the public copy, with personal data hidden, if one was published. Only statistics (status, unit, field, content category, dates, satisfaction rating) and the public copy are kept.

privacy-staff-heading = Personal data requests
privacy-staff-intro = Requests of data subjects sent from the Personal Data Processing Notice page; they must be answered within 2 working days (Decree 356/2025/ND-CP).
privacy-staff-filter = Filter requests
privacy-staff-open = Open
privacy-staff-handled = Handled
privacy-staff-none = No requests.
privacy-staff-assignee = Handled by
privacy-staff-handled-at = Answered at
privacy-staff-overdue = Overdue
privacy-staff-request = Request no. { $id }
privacy-staff-the-request = The request
privacy-staff-assign = Assign
privacy-staff-answer = Answer
privacy-staff-answer-text = Answer
privacy-staff-answer-submit = Record the answer
privacy-staff-will-mail = The answer will be emailed to { $contact }.
privacy-staff-call = The requester left a phone number: call { $contact } to answer; the answer is recorded here.
privacy-staff-handled-by = Answered: { $when }
privacy-staff-data = The requester's feedback
privacy-staff-data-intro = The feedback filed with { $contact }. Every opening of this page, export and correction is recorded.
privacy-staff-no-tickets = No feedback was filed with this contact.
privacy-staff-being-handled = being handled
privacy-staff-anonymised = Anonymised at { $when }
privacy-staff-correct = Correct the contact details
privacy-staff-correct-submit = Save the correction
privacy-staff-phone = Phone
privacy-staff-email = Email
privacy-staff-export = Export the data (ZIP file)
privacy-staff-export-hint = Holds data.json, a readable index.html and the attached files of all the feedback above.
privacy-staff-erase = Erase the data (anonymise)
privacy-staff-erase-hint = Anonymises all the feedback above as at the end of the retention period; not possible while any of it is still being handled.

privacy-done-assigned = The request was assigned.
privacy-done-mailed = The answer was recorded and emailed to { $contact }.
privacy-done-call = The answer was recorded. Call { $contact } to answer the requester.
privacy-done-corrected = The contact details were corrected; the details before and after are in the audit log.
privacy-done-erased = The requester's feedback was anonymised.

privacy-err-assignee = Choose an active admin or data protection officer.
privacy-err-answer-long = The answer is too long.
privacy-err-handled = This request has already been answered.
privacy-err-still-handled = The data cannot be erased: the following feedback is still being handled. Wait until it ends.
privacy-err-name = Please enter the name (at most 300 characters).
privacy-err-email = The email is not valid, e.g. name@example.vn.
privacy-err-phone = The phone number is not valid, e.g. 0983 570 009.
privacy-err-address = Please enter the address (at most 300 characters).

mail-privacy-answer-subject = Answer to personal data request no. { $id }
mail-privacy-answer-intro = The department answers your personal data request no. { $id } as follows:

privacy-export-title = Personal data provided
privacy-export-intro = The data of the feedback filed with { $contact }.
privacy-export-when = Exported at { $when }.
privacy-export-count = Feedback items: { $count }.
privacy-export-json = The file data.json holds the same data in a machine-readable form; the attached files are in the files folder.
privacy-export-code = Code
privacy-export-status = Status
privacy-export-received = Filed on
privacy-export-name = Full name
privacy-export-contact = Contact
privacy-export-address = Address
privacy-export-pakn-title = Title
privacy-export-content = Content
privacy-export-messages = Messages
privacy-export-replies = Replies
privacy-export-files = Attached files
privacy-export-ratings = Satisfaction ratings
