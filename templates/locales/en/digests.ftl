# Digests (issue 15, part 4): daily for officers, weekly for leaders, the switches on the
# account page and the unsubscribe page.

digest-daily-subject = PAKN digest for { $date }: { $open } open, { $overdue } overdue
digest-greeting = Dear { $name },
digest-daily-intro = These are the open PAKN (feedback and recommendations) waiting for you as of { $date }: overdue first, then by reply due date.
digest-daily-mine = PAKN assigned to you ({ $count })
digest-daily-unit = Unassigned PAKN of { $unit } ({ $count })
digest-daily-more = … and { $count } more, see the PAKN list.
digest-col-code = PAKN code
digest-col-title = Title
digest-col-status = Status
digest-col-accept-due = Classify by
digest-col-reply-due = Reply by
digest-col-late = Overdue
digest-late-days = { $days } days
digest-not-late = —
digest-confidential = (confidential PAKN, title not shown)
digest-queue-link = PAKN list
digest-weekly-subject = PAKN weekly digest { $from } – { $to }
digest-weekly-intro = Figures for the week from Monday { $from } to Sunday { $to } (Vietnam time). "Overdue now" counts the unanswered PAKN past their reply due date on { $today }.
digest-col-unit = Unit
digest-col-received = Received
digest-col-on-time = Answered on time
digest-col-answered-late = Answered late
digest-col-overdue = Overdue now
digest-total = Total
digest-overview-link = Open the overview
digest-why-daily = You receive this mail because the daily digest is on.
digest-why-weekly = You receive this mail because the weekly digest is on.
digest-manage = Turn digests on or off on your account page:
digest-unsubscribe-line = Stop this digest:

# Account page
digest-settings-heading = Digests
digest-settings-intro = Sent at { $at } on working days; nothing is sent when there is nothing to report.
digest-settings-intro-any = Sent at the system's next run; nothing is sent when there is nothing to report.
digest-settings-daily = Daily: the open PAKN assigned to me and my unit's unassigned PAKN
digest-settings-weekly = Weekly (leaders): last week's figures per unit
digest-settings-submit = Save choices
digest-settings-saved = Your digest choices were saved.

# Unsubscribe page (the link in the mail)
digest-unsub-title = Stop digests
digest-unsub-what-daily = the daily PAKN digest
digest-unsub-what-weekly = the weekly PAKN digest
digest-unsub-question = Do you want to stop receiving { $what }?
digest-unsub-button = Stop it
digest-unsub-done = Done: { $what } is now off. You can turn it on again on your account page.
digest-unsub-account = Go to my account

# Mail kind names (undelivered mail lists)
mail-kind-digest-daily = Daily digest
mail-kind-digest-weekly = Weekly digest
