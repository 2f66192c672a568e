## The personal-data log: who was shown whose personal data.

staff-nav-personal-data = Nhật ký dữ liệu cá nhân
pdlog-heading = Nhật ký truy cập dữ liệu cá nhân
pdlog-intro = Ai đã xem, tìm kiếm, xuất hoặc gửi thư có dữ liệu cá nhân của người gửi phản ánh, kiến nghị, vào lúc nào. Việc xem nhật ký này cũng được ghi lại.
pdlog-filter = Lọc nhật ký
pdlog-who = Cán bộ
pdlog-all = Tất cả
pdlog-code = Mã PAKN
pdlog-purpose = Mục đích
pdlog-from = Từ ngày
pdlog-to = Đến ngày
pdlog-submit = Lọc
pdlog-at = Thời điểm
pdlog-whose = Dữ liệu của
pdlog-empty = Không có mục nào khớp bộ lọc.
pdlog-older = Các mục cũ hơn
pdlog-date-error = Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.
pdlog-anonymised = (đã ẩn danh)
pdlog-purpose-view = Xem trang PAKN
pdlog-purpose-search = Tìm kiếm, danh sách
pdlog-purpose-export = Xuất dữ liệu
pdlog-purpose-privacy = Xử lý yêu cầu về dữ liệu cá nhân
pdlog-purpose-mail = Gửi thư
pdlog-purpose-log = Xem nhật ký này
