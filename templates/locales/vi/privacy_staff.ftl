# Issue 14: retention and data-subject requests handled (staff screen /staff/privacy).

role-privacy = Cán bộ bảo vệ dữ liệu cá nhân
staff-nav-privacy = Yêu cầu về dữ liệu cá nhân

privacy-how-long-what = Hết thời hạn đó, hệ thống tự động ẩn danh phản ánh, kiến nghị: xoá họ tên, tên tổ chức và người đại diện, địa chỉ, số điện thoại, thư điện tử, mã hồ sơ, nội dung bạn viết, các tin nhắn trao đổi, mọi tệp đính kèm, các thư đã gửi về phản ánh, kiến nghị đó và đường dẫn theo dõi riêng. Tiêu đề, nội dung và văn bản trả lời được thay bằng bản công khai đã ẩn thông tin cá nhân nếu đã được công khai. Chỉ giữ lại số liệu thống kê (trạng thái, đơn vị, lĩnh vực, loại nội dung, các mốc thời gian, đánh giá mức độ hài lòng) và bản công khai.

privacy-staff-heading = Yêu cầu về dữ liệu cá nhân
privacy-staff-intro = Yêu cầu của chủ thể dữ liệu gửi từ trang Thông báo xử lý dữ liệu cá nhân; phải trả lời trong 2 ngày làm việc (Nghị định 356/2025/NĐ-CP).
privacy-staff-filter = Lọc yêu cầu
privacy-staff-open = Chưa xử lý
privacy-staff-handled = Đã xử lý
privacy-staff-none = Không có yêu cầu nào.
privacy-staff-assignee = Người xử lý
privacy-staff-handled-at = Thời điểm trả lời
privacy-staff-overdue = Quá hạn
privacy-staff-request = Yêu cầu số { $id }
privacy-staff-the-request = Nội dung yêu cầu
privacy-staff-assign = Giao xử lý
privacy-staff-answer = Trả lời
privacy-staff-answer-text = Nội dung trả lời
privacy-staff-answer-submit = Ghi nhận trả lời
privacy-staff-will-mail = Câu trả lời sẽ được gửi qua thư điện tử đến { $contact }.
privacy-staff-call = Người yêu cầu để lại số điện thoại: hãy gọi { $contact } để trả lời; nội dung trả lời được ghi lại tại đây.
privacy-staff-handled-by = Đã trả lời: { $when }
privacy-staff-data = Phản ánh, kiến nghị của người yêu cầu
privacy-staff-data-intro = Các phản ánh, kiến nghị được gửi với { $contact }. Mỗi lần mở trang này, xuất dữ liệu hoặc chỉnh sửa đều được ghi lại.
privacy-staff-no-tickets = Không có phản ánh, kiến nghị nào được gửi với thông tin liên hệ này.
privacy-staff-being-handled = đang xử lý
privacy-staff-anonymised = Đã ẩn danh lúc { $when }
privacy-staff-correct = Chỉnh sửa thông tin liên hệ
privacy-staff-correct-submit = Lưu chỉnh sửa
privacy-staff-phone = Số điện thoại
privacy-staff-email = Thư điện tử
privacy-staff-export = Xuất dữ liệu (tệp ZIP)
privacy-staff-export-hint = Gồm data.json, bản tóm tắt index.html và các tệp đính kèm của mọi phản ánh, kiến nghị trên.
privacy-staff-erase = Xoá dữ liệu (ẩn danh)
privacy-staff-erase-hint = Ẩn danh mọi phản ánh, kiến nghị trên như khi hết thời hạn lưu trữ; không làm được khi còn phản ánh, kiến nghị đang xử lý.

privacy-done-assigned = Đã giao xử lý yêu cầu.
privacy-done-mailed = Đã ghi nhận câu trả lời và gửi thư đến { $contact }.
privacy-done-call = Đã ghi nhận câu trả lời. Hãy gọi { $contact } để trả lời người yêu cầu.
privacy-done-corrected = Đã chỉnh sửa thông tin liên hệ; thông tin trước và sau được ghi vào nhật ký.
privacy-done-erased = Đã ẩn danh các phản ánh, kiến nghị của người yêu cầu.

privacy-err-assignee = Hãy chọn một quản trị viên hoặc cán bộ bảo vệ dữ liệu cá nhân đang hoạt động.
privacy-err-answer-long = Câu trả lời quá dài.
privacy-err-handled = Yêu cầu này đã được trả lời.
privacy-err-still-handled = Không thể xoá dữ liệu: các phản ánh, kiến nghị sau vẫn đang được xử lý. Hãy chờ đến khi chúng kết thúc.
privacy-err-name = Vui lòng nhập họ tên (tối đa 300 ký tự).
privacy-err-email = Thư điện tử không hợp lệ, ví dụ ten@example.vn.
privacy-err-phone = Số điện thoại không hợp lệ, ví dụ 0983 570 009.
privacy-err-address = Vui lòng nhập địa chỉ (tối đa 300 ký tự).

mail-privacy-answer-subject = Trả lời yêu cầu về dữ liệu cá nhân số { $id }
mail-privacy-answer-intro = Sở trả lời yêu cầu về dữ liệu cá nhân số { $id } của Quý ông/bà như sau:

privacy-export-title = Dữ liệu cá nhân đã cung cấp
privacy-export-intro = Dữ liệu của các phản ánh, kiến nghị được gửi với { $contact }.
privacy-export-when = Xuất lúc { $when }.
privacy-export-count = Số phản ánh, kiến nghị: { $count }.
privacy-export-json = Tệp data.json chứa cùng dữ liệu ở dạng máy đọc được; các tệp đính kèm nằm trong thư mục files.
privacy-export-code = Mã PAKN
privacy-export-status = Trạng thái
privacy-export-received = Ngày gửi
privacy-export-name = Họ và tên
privacy-export-contact = Liên hệ
privacy-export-address = Địa chỉ
privacy-export-pakn-title = Tiêu đề
privacy-export-content = Nội dung
privacy-export-messages = Trao đổi
privacy-export-replies = Văn bản trả lời
privacy-export-files = Tệp đính kèm
privacy-export-ratings = Đánh giá mức độ hài lòng
