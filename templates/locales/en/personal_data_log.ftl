## The personal-data log: who was shown whose personal data.

staff-nav-personal-data = Personal-data log
pdlog-heading = Personal-data access log
pdlog-intro = Who viewed, searched, exported or mailed the personal data of the senders of PAKN, and when. Reading this log is recorded too.
pdlog-filter = Filter the log
pdlog-who = Staff member
pdlog-all = All
pdlog-code = PAKN code
pdlog-purpose = Purpose
pdlog-from = From
pdlog-to = To
pdlog-submit = Filter
pdlog-at = When
pdlog-whose = Whose data
pdlog-empty = No entry matches the filter.
pdlog-older = Older entries
pdlog-date-error = The date cannot be read; type it as dd/mm/yyyy.
pdlog-anonymised = (anonymised)
pdlog-purpose-view = PAKN page viewed
pdlog-purpose-search = Search, list
pdlog-purpose-export = Data exported
pdlog-purpose-privacy = Data-subject request handled
pdlog-purpose-mail = Mail sent
pdlog-purpose-log = This log read
