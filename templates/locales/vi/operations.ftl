## Operations (issue 19): the calendar that warns
calendar-gaps-title = Lịch ngày làm việc còn thiếu
calendar-gaps-lead = Thời hạn xử lý tính theo ngày làm việc: khi lịch thiếu ngày nghỉ lễ, mọi thời hạn đi qua những ngày đó sẽ bị tính sớm hơn quy định.
calendar-gap-tet = Chưa có ngày nghỉ Tết Nguyên đán { $year } (mùng 1 Tết: { $date }).
calendar-gap-gio-to = Chưa có ngày nghỉ Giỗ Tổ Hùng Vương { $year } (10/3 âm lịch: { $date }).
calendar-gap-national-day = Chưa có ngày nghỉ thứ hai của Quốc khánh { $year } (01/09 hoặc 03/09).
calendar-gap-expected = Ngày { $date } ({ $name }) vẫn là "dự kiến": hãy đối chiếu với thông báo chính thức.
calendar-gap-proposal = Đề xuất: { $days }
calendar-gap-add = Thêm các ngày đề xuất
calendar-gap-see = Mở lịch ngày làm việc
calendar-gap-added = Đã thêm { $n } ngày vào lịch.
calendar-gap-note = Tính theo âm lịch Việt Nam; đối chiếu với thông báo nghỉ lễ hằng năm.
