# The queue's and the overview's counts, kept a few seconds in memory.
staff-counted-at = Số liệu đếm lúc { $time }, cập nhật sau mỗi { $secs } giây.
