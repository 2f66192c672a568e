## The private link renewed by the citizen or revoked by staff.

private-link-renew = Get a new private link
private-link-renew-hint-email = If someone else may know this link (a forwarded mail, a receipt left behind, a shared device), get a new one: this link stops working at once and the new one is sent only to the email you gave when you filed.
private-link-renew-hint-no-email = If someone else may know this link, get a new one: this link stops working at once and this page moves to the new link. Keep the new link; you can still look your PAKN up with its code and phone number.
private-link-renew-submit = Switch to a new link
private-link-renewed-shown = This is your new private link; the old one no longer works. Keep the link below and do not share it.
private-link-limited = The link of this PAKN was renewed several times in a short time. Please try again later.
private-link-mailed-heading = New link sent
private-link-mailed = Your new private link was sent to { $to }.
private-link-mailed-old = The old link no longer works. Open the mail and use the new link to follow your PAKN.
private-link-mailed-no-mail = If the mail does not arrive within a few minutes, check your spam folder, or look your PAKN up with its code and phone number.
private-link-revoke = Revoke the sender's private link
private-link-revoke-hint = Use it when the private link may have leaked (a forwarded mail, a lost receipt). The current link stops working at once; the new one is mailed to the sender's email (if given), else the sender looks the PAKN up again with its code and phone number.
private-link-revoke-submit = Revoke and make a new link
event-private-link = Private link changed
mail-new-link-subject = New link to follow your PAKN { $code }
mail-new-link-intro-citizen = As asked by the holder of its private link, the link to follow PAKN { $code } was changed. The new link:
mail-new-link-intro-staff = The receiving office revoked the old private link of PAKN { $code } to protect your information. The new link:
mail-new-link-open = Open the tracking page
mail-new-link-old = The old link no longer works.
mail-new-link-keep = Keep this mail and do not forward it: anyone with this link can read the PAKN and its answer.
