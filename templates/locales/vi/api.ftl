# /api/v1/staff (issue 20): clients that act as a staff account.
api-problem-bad-query = Tham số truy vấn không hợp lệ
api-problem-not-allowed = Tài khoản mà hệ thống này đại diện không được thực hiện thao tác này
api-problem-move-refused = Không thực hiện được thao tác này
api-err-status = Trạng thái không có trong danh sách trạng thái PAKN.
api-err-limit = limit phải là số nguyên từ 1 đến 100.
api-err-cursor = Con trỏ trang (cursor) không hợp lệ; hãy dùng địa chỉ next của trang trước.
pdlog-purpose-api = Hệ thống kết nối đọc qua API
