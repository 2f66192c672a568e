## Operations (issue 19): the calendar that warns
calendar-gaps-title = The working-day calendar is incomplete
calendar-gaps-lead = Deadlines count working days: while a public holiday is missing, every deadline across it comes out earlier than the law allows.
calendar-gap-tet = No Lunar New Year (Tết) { $year } holidays yet (first day: { $date }).
calendar-gap-gio-to = No Hung Kings' Commemoration { $year } holiday yet (lunar 10/3: { $date }).
calendar-gap-national-day = No second National Day holiday for { $year } yet (1 or 3 September).
calendar-gap-expected = { $date } ({ $name }) is still "expected": check it against the official notice.
calendar-gap-proposal = Proposed: { $days }
calendar-gap-add = Add the proposed days
calendar-gap-see = Open the working-day calendar
calendar-gap-added = { $n } days added to the calendar.
calendar-gap-note = Computed from the Vietnamese lunar calendar; check against the yearly holiday notice.
