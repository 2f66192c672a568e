# Thư tổng hợp (issue 15, phần 4): thư hằng ngày cho chuyên viên, hằng tuần cho lãnh đạo,
# lựa chọn trên trang tài khoản và trang ngừng nhận.

digest-daily-subject = Tổng hợp PAKN ngày { $date }: { $open } đang mở, { $overdue } quá hạn
digest-greeting = Kính gửi { $name },
digest-daily-intro = Dưới đây là các phản ánh, kiến nghị (PAKN) đang mở cần anh/chị xử lý tính đến ngày { $date }: PAKN quá hạn trước, sau đó theo hạn trả lời.
digest-daily-mine = PAKN được giao cho anh/chị ({ $count })
digest-daily-unit = PAKN chưa giao người xử lý của { $unit } ({ $count })
digest-daily-more = … và { $count } PAKN khác, xem trong danh sách PAKN.
digest-col-code = Mã PAKN
digest-col-title = Tiêu đề
digest-col-status = Trạng thái
digest-col-accept-due = Hạn tiếp nhận
digest-col-reply-due = Hạn trả lời
digest-col-late = Quá hạn
digest-late-days = { $days } ngày
digest-not-late = —
digest-confidential = (PAKN mật, không hiển thị tiêu đề)
digest-queue-link = Danh sách PAKN
digest-weekly-subject = Tổng hợp PAKN tuần { $from } – { $to }
digest-weekly-intro = Số liệu phản ánh, kiến nghị tuần từ thứ Hai { $from } đến Chủ nhật { $to } (giờ Việt Nam). Cột "Đang quá hạn" là số PAKN chưa trả lời đã quá hạn tại ngày { $today }.
digest-col-unit = Đơn vị
digest-col-received = Tiếp nhận
digest-col-on-time = Trả lời đúng hạn
digest-col-answered-late = Trả lời trễ hạn
digest-col-overdue = Đang quá hạn
digest-total = Tổng cộng
digest-overview-link = Xem trang tổng quan
digest-why-daily = Anh/chị nhận thư này vì đang bật thư tổng hợp hằng ngày.
digest-why-weekly = Anh/chị nhận thư này vì đang bật thư tổng hợp hằng tuần.
digest-manage = Bật hoặc tắt thư tổng hợp trên trang tài khoản:
digest-unsubscribe-line = Ngừng nhận thư này:

# Trang tài khoản
digest-settings-heading = Thư tổng hợp
digest-settings-intro = Thư được gửi lúc { $at } các ngày làm việc; không có gì cần báo thì không gửi.
digest-settings-intro-any = Thư được gửi ở lượt chạy kế tiếp của hệ thống; không có gì cần báo thì không gửi.
digest-settings-daily = Thư hằng ngày: các PAKN đang mở được giao cho tôi và PAKN chưa giao của đơn vị
digest-settings-weekly = Thư hằng tuần (lãnh đạo): số liệu tuần trước theo đơn vị
digest-settings-submit = Lưu lựa chọn
digest-settings-saved = Đã lưu lựa chọn thư tổng hợp.

# Trang ngừng nhận (liên kết trong thư)
digest-unsub-title = Ngừng nhận thư tổng hợp
digest-unsub-what-daily = thư tổng hợp PAKN hằng ngày
digest-unsub-what-weekly = thư tổng hợp PAKN hằng tuần
digest-unsub-question = Anh/chị muốn ngừng nhận { $what }?
digest-unsub-button = Ngừng nhận
digest-unsub-done = Đã tắt { $what }. Anh/chị có thể bật lại trên trang tài khoản.
digest-unsub-account = Đến trang tài khoản

# Tên loại thư (danh sách thư không gửi được)
mail-kind-digest-daily = Thư tổng hợp hằng ngày
mail-kind-digest-weekly = Thư tổng hợp hằng tuần
