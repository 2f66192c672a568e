# Staff entry of PAKN received off-line: the citizen's documents.
staff-entry-attachments = The sender's documents (photos, scans)
staff-entry-kept-files = Files already uploaded (untick to leave out):
staff-entry-reused = This form was already saved with different content. Your new text is kept; press Save to enter it as a new feedback.
# The officer fills the form for the sender: third person.
staff-entry-publish-consent = The sender agrees to publication of the content (with personal data hidden)
