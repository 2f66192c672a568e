# Publication of answers: the public list /answers, one answer, the staff page that
# reviews and publishes the public copy, and the mail to the citizen.

## Public pages
answers-heading = Kết quả trả lời phản ánh, kiến nghị
answers-intro = Các phản ánh, kiến nghị đã được trả lời và người gửi đồng ý công khai. Thông tin cá nhân (họ tên, địa chỉ, số điện thoại, thư điện tử, số giấy tờ) đã được ẩn.
answers-search = Tìm theo từ khoá
answers-all-fields = Tất cả lĩnh vực
answers-year = Năm trả lời
answers-all-years = Tất cả các năm
answers-filter = Tìm kiếm
answers-clear = Bỏ lọc
answers-none-found = Không tìm thấy kết quả trả lời phù hợp.
answers-none-yet = Chưa có kết quả trả lời nào được công khai.
answers-pages = Trang kết quả
answers-first-page = Trang đầu
answers-next-page = Trang sau
answers-answered-on = Trả lời ngày
answers-back = Danh sách kết quả trả lời
answers-question = Nội dung phản ánh, kiến nghị
answers-answer = Nội dung trả lời
answers-masked-note = Thông tin cá nhân của người gửi đã được ẩn trước khi công khai.
answers-print = In trang này

## Staff page
answers-staff-heading = Công khai kết quả trả lời
answers-back-to-ticket = Về phản ánh, kiến nghị
answers-view-public = Xem trang công khai
answers-staff-hint = Bản công khai được tạo từ tiêu đề, nội dung và văn bản trả lời, đã tự động ẩn thông tin cá nhân. Hãy đọc kỹ và sửa trước khi công khai.
answers-copy-title = Tiêu đề công khai
answers-save = Lưu bản nháp
answers-save-published = Lưu và cập nhật bản đang công khai
answers-publish = Công khai
answers-unpublish = Gỡ công khai
answers-unpublish-hint = Gỡ công khai: kết quả trả lời không còn trên trang công khai (bản đã duyệt vẫn được lưu).
answers-reply = Văn bản trả lời
answers-state-none = Chưa có bản công khai (bản nháp tự động, chưa lưu)
answers-state-draft = Bản nháp đã lưu, chưa công khai
answers-state-published = Đang công khai từ ngày { $date }
answers-state-unpublished = Đã gỡ công khai ngày { $date }
answers-done-saved = Đã lưu bản nháp.
answers-done-published = Đã công khai kết quả trả lời.
answers-done-updated = Đã cập nhật bản đang công khai.
answers-done-unpublished = Đã gỡ công khai.
answers-done-not-published = Kết quả trả lời này không đang được công khai.
answers-error-empty = Mục này không được để trống.
answers-error-too-long = Mục này dài quá { $max } ký tự.
answers-own-data-left = Bản công khai vẫn còn thông tin cá nhân của người gửi ({ $kinds }). Hãy xoá hoặc thay bằng [đã ẩn] trước khi công khai.
answers-other-data-left = Bản công khai có các chi tiết giống thông tin cá nhân. Hãy kiểm tra (chỉ giữ lại số điện thoại, địa chỉ thư của cơ quan):
answers-kind-name = họ tên
answers-kind-organization = tên tổ chức
answers-kind-address = địa chỉ
answers-kind-phone = số điện thoại
answers-kind-email = thư điện tử
answers-kind-id = số giấy tờ
answers-kind-other = mã phản ánh, kiến nghị
answers-refused-confidential = Không thể công khai: phản ánh, kiến nghị này được đánh dấu bảo mật.
answers-refused-rejected = Không thể công khai: phản ánh, kiến nghị này đã bị từ chối tiếp nhận.
answers-refused-out-of-scope = Không thể công khai: phản ánh, kiến nghị này không thuộc phạm vi xử lý.
answers-refused-no-consent = Không thể công khai: người gửi không đồng ý công khai nội dung.
answers-refused-not-answered = Chưa thể công khai: phản ánh, kiến nghị này chưa được trả lời.
answers-refused-no-approved-reply = Chưa thể công khai: chưa có văn bản trả lời được lãnh đạo duyệt.

## Mail to the citizen
answers-mail-subject = [PAKN { $code }] Kết quả trả lời đã được công khai
answers-mail-intro = Kết quả trả lời phản ánh, kiến nghị mã { $code } của Quý ông/bà đã được công khai trên trang của { $site }, theo sự đồng ý của Quý ông/bà.
answers-mail-where = Xem bản công khai tại:
answers-mail-button = Xem kết quả công khai
answers-mail-masked = Họ tên, địa chỉ, số điện thoại, thư điện tử và số giấy tờ của Quý ông/bà đã được ẩn. Nếu bản công khai còn thông tin cá nhân, xin liên hệ cơ quan để được gỡ.
answers-mail-private = Trang theo dõi riêng của Quý ông/bà (không chia sẻ cho người khác):

## Links from the home page and the footer
nav-answers = Kết quả trả lời
home-answers-link = Xem các phản ánh, kiến nghị đã được trả lời và công khai
