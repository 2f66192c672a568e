# /api/v1/staff (issue 20): clients that act as a staff account.
api-problem-bad-query = Tham số truy vấn không hợp lệ
api-problem-not-allowed = Tài khoản mà hệ thống này đại diện không được thực hiện thao tác này
api-problem-move-refused = Không thực hiện được thao tác này
api-err-status = Trạng thái không có trong danh sách trạng thái PAKN.
api-err-limit = limit phải là số nguyên từ 1 đến 100.
api-err-cursor = Con trỏ trang (cursor) không hợp lệ; hãy dùng địa chỉ next của trang trước.
pdlog-purpose-api = Hệ thống kết nối đọc qua API

# /api/v1/docs: the API described for developers.
apidoc-title = API cho hệ thống khác
apidoc-intro = Các hệ thống khác (Hệ thống PAKN quốc gia, Cổng dịch vụ công, ứng dụng của tỉnh, phần mềm một cửa) gửi PAKN thay người dân, theo dõi kết quả và xử lý PAKN qua API này. Tài liệu máy đọc được theo chuẩn OpenAPI 3.1 ở địa chỉ dưới đây; trang này đọc lại chính tài liệu đó.
apidoc-keys = Khoá API
apidoc-keys-text = Mỗi hệ thống có một khoá do quản trị viên cấp (chỉ hiện một lần), gửi trong tiêu đề Authorization: Bearer. Phạm vi file: gửi PAKN và đọc PAKN mình đã gửi. Phạm vi staff: đọc và xử lý PAKN với quyền của một tài khoản cán bộ; mỗi lần đọc thông tin người gửi được ghi vào nhật ký dữ liệu cá nhân.
apidoc-operations = Các thao tác
apidoc-params = Tham số
apidoc-body = Nội dung gửi:
apidoc-responses = Kết quả
apidoc-open311 = Chuẩn Open311 GeoReport v2 có tại /open311/v2 (discovery, services, requests, tokens; XML và JSON): lĩnh vực là service, PAKN là service request; danh sách chỉ gồm các PAKN đã công khai, không có thông tin cá nhân.
apidoc-webhooks = Hệ thống kết nối có thể nhận sự kiện (pakn.filed, pakn.status_changed, pakn.information_requested, pakn.answered, pakn.published, pakn.rated) tại địa chỉ của mình, có chữ ký theo chuẩn Standard Webhooks, không kèm thông tin cá nhân.
api-problem-too-large = Nội dung gửi lớn hơn mức cho phép

# The admin screen of API clients: scopes, account, rate.
admin-api-col-rate = Số lần gọi mỗi phút
admin-api-scope-file = Gửi PAKN thay người dân và theo dõi PAKN đã gửi (file)
admin-api-scope-watch = Nhận sự kiện của mọi PAKN qua webhook, không kèm thông tin cá nhân (watch)
admin-api-scope-staff = Đọc và xử lý PAKN với quyền của một tài khoản cán bộ (staff)
admin-api-acts-as = Tài khoản cán bộ mà hệ thống đại diện (với quyền staff)
admin-api-scope-needed = Vui lòng chọn ít nhất một quyền.
admin-api-acts-as-needed = Quyền staff cần chọn tài khoản cán bộ mà hệ thống đại diện.
admin-api-rate-needed = Số lần gọi mỗi phút phải là số nguyên từ 1.
