# Xử lý PAKN: các thao tác, sự kiện trên dòng thời gian, thông báo lỗi, thư cập nhật.

## Sự kiện trên dòng thời gian
event-accept = Tiếp nhận, phân loại
event-ask-info = Yêu cầu bổ sung thông tin
event-answer-info = Người gửi bổ sung thông tin
event-expire-info = Hết hạn bổ sung thông tin
event-reject = Từ chối tiếp nhận
event-out-of-scope = Không thuộc phạm vi
event-transfer = Chuyển cơ quan có thẩm quyền
event-start-work = Bắt đầu xử lý
event-submit-draft = Trình dự thảo trả lời
event-return-draft = Trả lại dự thảo
event-approve = Lãnh đạo duyệt, gửi văn bản trả lời
event-withdraw = Người gửi rút phản ánh, kiến nghị
event-close-duplicate = Đóng do trùng lặp
event-close = Đóng phản ánh, kiến nghị
event-auto-close = Tự động đóng sau thời hạn đánh giá
event-reopen = Mở lại để xử lý
event-assign = Phân công người xử lý
event-citizen-message = Ý kiến thêm của người gửi (qua thư điện tử)
event-internal-note = Ghi chú nội bộ
event-progress-note = Thông tin tiến độ
event-publish = Công khai kết quả trả lời
event-unpublish = Ngừng công khai
event-rating = Người gửi đánh giá kết quả
event-confidential = Thay đổi chế độ bảo mật

## Tên các thao tác (nút, tiêu đề biểu mẫu)
action-accept = Tiếp nhận và phân loại
action-ask-info = Yêu cầu bổ sung thông tin
action-reject = Từ chối tiếp nhận
action-out-of-scope = Không thuộc phạm vi
action-transfer = Chuyển cơ quan có thẩm quyền
action-start-work = Bắt đầu xử lý
action-submit-draft = Trình dự thảo trả lời
action-return-draft = Trả lại dự thảo
action-approve = Duyệt và gửi trả lời
action-close-duplicate = Đóng do trùng lặp
action-close = Đóng phản ánh, kiến nghị
action-reopen = Mở lại
action-assign = Phân công
action-internal-note = Ghi chú nội bộ
action-progress-note = Thông tin tiến độ cho người gửi
action-confidential = Bảo mật (tố cáo)

## Lỗi khi chuyển trạng thái
move-err-not-from = Không thể thực hiện thao tác này ở trạng thái hiện tại của phản ánh, kiến nghị.
move-err-not-yours = Bạn không có quyền thực hiện thao tác này.
move-err-missing-classification = Cần chọn lĩnh vực, loại, mức độ, đơn vị và người xử lý.
move-err-missing-question = Cần nhập nội dung yêu cầu bổ sung gửi người dân.
move-err-missing-citizen-answer = Cần nhập nội dung bổ sung hoặc đính kèm tệp.
move-err-missing-template-reason = Cần chọn lý do theo mẫu.
move-err-missing-reason = Cần nêu lý do.
move-err-missing-competent-body = Cần nêu cơ quan có thẩm quyền giải quyết.
move-err-missing-transfer-target = Cần nhập cơ quan nhận, số văn bản chuyển và ngày chuyển.
move-err-missing-draft-reply = Cần nhập nội dung dự thảo trả lời.
move-err-missing-reply-document = Cần nhập số/ký hiệu, ngày ban hành và người ký văn bản trả lời.
move-err-missing-duplicate-of = Cần nhập mã PAKN bị trùng.
move-err-no-previous = Không xác định được trạng thái trước khi yêu cầu bổ sung.
handling-err-too-long = Nội dung quá dài.
handling-err-too-large = Tệp đính kèm vượt dung lượng cho phép.
handling-err-field = Lĩnh vực không hợp lệ.
handling-err-unit = Đơn vị xử lý không hợp lệ.
handling-err-classification = Loại hoặc mức độ không hợp lệ.
handling-err-assignee = Người xử lý phải là công chức của đơn vị xử lý hoặc lãnh đạo.
handling-err-date = Ngày không hợp lệ (dd/mm/yyyy).
handling-err-no-draft = Không có dự thảo nào đang chờ duyệt.
handling-err-duplicate-unknown = Không tìm thấy phản ánh, kiến nghị có mã này.
handling-err-duplicate-self = Không thể đánh dấu trùng với chính nó.
handling-err-reopen-window = Đã quá thời hạn để mở lại phản ánh, kiến nghị.
handling-err-note-empty = Cần nhập nội dung.
handling-err-terminal = Phản ánh, kiến nghị đã kết thúc.
handling-err-unknown-action = Thao tác không hợp lệ.
handling-expired-default-reason = Quá thời hạn mà người gửi không bổ sung thông tin theo yêu cầu.

## Trang xử lý
handling-actions = Xử lý
handling-done = Đã thực hiện: { $what }.
handling-no-actions = Bạn không có thao tác nào với phản ánh, kiến nghị này.
handling-question = Nội dung cần bổ sung (gửi người dân)
handling-reason = Lý do
handling-reason-template = Lý do theo mẫu
handling-competent-body = Cơ quan có thẩm quyền
handling-transfer-agency = Cơ quan nhận
handling-transfer-reference = Số văn bản chuyển
handling-transfer-date = Ngày chuyển
handling-answer-by = Hạn bổ sung
handling-duplicate-of = Trùng với PAKN mã
handling-urgency = Mức độ
urgency-normal = Bình thường
urgency-urgent = Khẩn
urgency-complex = Phức tạp
handling-draft-body = Nội dung trả lời
handling-draft-files = Văn bản trả lời đã ký (tệp)
handling-reply-heading = Văn bản trả lời
handling-reply-number = Số/ký hiệu
handling-reply-date = Ngày ban hành
handling-reply-signer = Người ký
handling-pending-reply = Dự thảo đang chờ duyệt
handling-replies = Văn bản trả lời
handling-returned-because = Lý do trả lại
reply-state-draft = Dự thảo
reply-state-pending = Chờ duyệt
reply-state-returned = Đã trả lại
reply-state-approved = Đã duyệt, đã gửi
handling-note = Nội dung
handling-progress-hint = Người gửi đọc được thông tin này trên trang theo dõi và qua thư điện tử.
handling-internal-hint = Chỉ cán bộ xem được ghi chú này.
handling-confidential-hint = Nội dung được bảo mật chỉ lãnh đạo và đơn vị xử lý đọc được; thanh tra và quản trị chỉ thấy là có phản ánh, kiến nghị.
handling-confidential-on = Bảo mật nội dung
handling-progress-due = Đã quá hạn trả lời: cần cập nhật tiến độ cho người gửi trước ngày { $date }.
handling-progress-late = Đã quá hạn trả lời và quá hạn cập nhật tiến độ (hạn { $date }).
handling-publication-link = Công khai kết quả trả lời
handling-status = Trạng thái

## Nội dung chữ trong thư
handling-text-accept = Nội dung
handling-text-ask-info = Nội dung cần bổ sung
handling-text-answer-info = Nội dung bổ sung
handling-text-expire-info = Lý do
handling-text-reject = Lý do từ chối
handling-text-out-of-scope = Lý do
handling-text-transfer = Nội dung
handling-text-start-work = Nội dung
handling-text-submit-draft = Nội dung
handling-text-return-draft = Lý do trả lại
handling-text-approve = Nội dung
handling-text-withdraw = Lý do rút
handling-text-close-duplicate = Nội dung
handling-text-close = Nội dung
handling-text-auto-close = Nội dung
handling-text-reopen = Lý do mở lại
handling-text-assign = Nội dung
handling-text-citizen-message = Nội dung
handling-text-internal-note = Ghi chú
handling-text-progress-note = Thông tin tiến độ
handling-text-confidential = Lý do

## Thư cập nhật
mail-update-subject = [PAKN { $code }] { $what }
mail-update-intro = Phản ánh, kiến nghị mã { $code } có cập nhật: { $what }.
mail-update-rate = Quý ông/bà vui lòng đánh giá kết quả giải quyết trên trang theo dõi (mở đường dẫn ở trên).

## Đánh giá
rating-satisfied = Hài lòng
rating-neutral = Bình thường
rating-unsatisfied = Không hài lòng
rating-not-resolved = Người gửi cho biết phản ánh, kiến nghị chưa được giải quyết.
rating-err-not-answered = Chỉ đánh giá được sau khi có văn bản trả lời.

## Thao tác của người gửi trên trang theo dõi
citizen-actions-heading = Việc bạn có thể làm
citizen-answer-heading = Bổ sung thông tin theo yêu cầu
citizen-answer-text = Nội dung bổ sung
citizen-answer-files = Tài liệu bổ sung
citizen-answer-files-hint = Tối đa { $count } tệp JPG, PNG, PDF, DOC(X), XLS(X).
citizen-answer-submit = Gửi thông tin bổ sung
citizen-rate-heading = Đánh giá kết quả giải quyết
citizen-rate-question = Bạn có hài lòng với kết quả trả lời?
citizen-rate-not-resolved = Chưa được giải quyết: đề nghị xem xét lại
citizen-rate-comment = Ý kiến (không bắt buộc)
citizen-rate-submit = Gửi đánh giá
citizen-rated = Bạn đã đánh giá
citizen-withdraw-heading = Rút phản ánh, kiến nghị
citizen-withdraw-hint = Sau khi rút, cơ quan sẽ dừng xử lý phản ánh, kiến nghị này.
citizen-withdraw-reason = Lý do rút
citizen-withdraw-submit = Rút phản ánh, kiến nghị
citizen-done-answer = Đã gửi thông tin bổ sung. Cơ quan tiếp tục xử lý phản ánh, kiến nghị của bạn.
citizen-done-withdraw = Bạn đã rút phản ánh, kiến nghị này.
citizen-done-rate = Cảm ơn bạn đã đánh giá.
rating-err-choose = Vui lòng chọn mức đánh giá.
rating-err-already = Câu trả lời này đã được đánh giá.

staff-undelivered = Thư không gửi được
staff-undelivered-intro = Máy chủ thư đã từ chối hẳn những người nhận dưới đây; thư vẫn đến được những người nhận khác. Hãy sửa địa chỉ hoặc báo cho họ bằng cách khác.
staff-undelivered-hidden = (địa chỉ được ẩn)
staff-undelivered-reply = Trả lời của máy chủ thư
mail-kind-ack = Xác nhận tiếp nhận gửi người gửi
mail-kind-notify = Thông báo phản ánh, kiến nghị mới
mail-kind-published = Thông báo công khai kết quả trả lời
mail-kind-forgot-codes = Gửi lại mã tra cứu
mail-kind-privacy-request = Yêu cầu về dữ liệu cá nhân
mail-kind-update = Thông báo: { $event }
