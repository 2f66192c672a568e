# Issue 14, the edge: acknowledgements within mail_per_address (finding 11), the upload
# stash's budgets (finding 3).
receipt-email-skipped = No confirmation email was sent: this address has received several emails from us within a short time. Please write down the tracking code above to follow your PAKN.
notice-files-not-kept = The files you attached could not be kept. Please attach them again when you send the form.
