# A 403 or 404 inside the staff dashboard.
staff-error-forbidden-title = Not allowed
staff-error-forbidden = Your account may not open this page. Ask an administrator if you need access.
staff-error-not-found-title = Not found
staff-error-not-found = This page or feedback was not found, or it does not belong to a unit you may see.
staff-error-back = Back to my work
# The users list: the button inside the "reset password" disclosure.
users-reset-save = Save the new password
