# Open311 GeoReport v2: the service requests (issue 20).
open311-key-required = Cần khoá API (api_key) để gửi yêu cầu.
open311-key-invalid = Khoá API không đúng hoặc đã bị thu hồi.
open311-out-of-scope = Khoá API này không được phép gửi phản ánh, kiến nghị.
open311-rate-limited = Đã gửi quá nhiều yêu cầu trong một phút; vui lòng thử lại sau.
open311-unavailable = Hệ thống đang bận; vui lòng thử lại sau ít phút.
open311-bad-date = Ngày giờ phải theo ISO 8601 (ví dụ 2026-12-01T00:00:00+07:00).
open311-bad-range = Khoảng thời gian (start_date đến end_date) không được quá 90 ngày và start_date phải trước end_date.
open311-bad-status = Trạng thái (status) chỉ có thể là open hoặc closed.
open311-bad-page = page phải là số nguyên từ 1; page_size từ 1 đến 1000.
open311-no-request = Không có yêu cầu (service_request_id) này, hoặc nó chưa được công khai.
open311-filed-notice = Đã nhận phản ánh, kiến nghị. Mã tra cứu: { $code }. Hạn trả lời: { $due }.
open311-attr-title = Tiêu đề (nếu không có, lấy từ đầu phần mô tả)
open311-attr-consent = Người gửi đã đọc Thông báo xử lý dữ liệu cá nhân và đồng ý
open311-attr-publish-consent = Người gửi đồng ý công khai nội dung (đã ẩn thông tin cá nhân)
open311-value-yes = Có
open311-value-no = Không
open311-param-error = { $param }: { $message }
