# The queue's and the overview's counts, kept a few seconds in memory.
staff-counted-at = Figures counted at { $time }, refreshed every { $secs } seconds.
