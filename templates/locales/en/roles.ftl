## Separation of duties: roles that read PAKN given to an admin wait for a second admin;
## every change of an account's roles is mailed to all admins.

mail-role-created-subject = [PAKN] New account: { $user }
mail-role-created-intro = { $actor } created the account of { $user }.
mail-role-changed-subject = [PAKN] Roles of { $user } changed
mail-role-changed-intro = { $actor } changed the roles or unit of { $user }.
mail-role-requested-subject = [PAKN] Awaiting approval: new role for { $user }
mail-role-requested-intro = { $actor } asks to give { $user } a role that reads PAKN. It takes effect only when another administrator approves it.
mail-role-approved-subject = [PAKN] Role approved for { $user }
mail-role-approved-intro = { $actor } approved a role that reads PAKN for { $user }.
mail-role-rejected-subject = [PAKN] Role turned down for { $user }
mail-role-rejected-intro = { $actor } turned down the request to give { $user } a role that reads PAKN.
mail-role-before = Before
mail-role-after = After
mail-role-pending = Awaiting approval
mail-role-none = (none)
mail-role-why = Every administrator receives this mail so that a second person always knows who was given access. If this change is wrong, check it now on the Users page:

role-grants-heading = Roles awaiting approval
role-grants-intro = A role that reads PAKN, given by an administrator to themself or to another administrator, takes effect only when a second administrator approves it.
role-grants-user = Account
role-grants-roles = Roles requested
role-grants-requested = Requested by, at
role-grants-approve = Approve
role-grants-reject = Turn down
role-grants-not-yours = Another administrator (neither the one who asked nor the one who gets the role) must approve.
role-grants-gone = This request has already been decided or no longer exists.
users-done-pending = Saved. The role that reads PAKN awaits another administrator's approval.
users-done-approved = Approved; the role takes effect now.
users-done-rejected = The role request was turned down.
