# Trang xử lý một PAKN (cán bộ): việc cần làm tiếp, các thao tác, mẫu trả lời.

## Bố cục trang
ticket-status-label = Trạng thái
ticket-details = Thông tin hồ sơ
ticket-unassigned = Chưa phân công

## Việc cần làm tiếp
ticket-next-heading = Việc cần làm tiếp
ticket-next-wait-citizen = Đang chờ người gửi bổ sung thông tin. Hồ sơ tiếp tục được xử lý khi người gửi trả lời; nếu quá hạn bổ sung, hệ thống tự đóng theo mẫu lý do.
ticket-next-wait-draft = Đang chờ chuyên viên xử lý soạn dự thảo trả lời.
ticket-next-wait-approval = Dự thảo trả lời đang chờ lãnh đạo duyệt.
ticket-next-publish = Xem lại và công khai kết quả trả lời
ticket-next-publish-hint = Người gửi đồng ý công khai: hãy rà soát nội dung đã che thông tin cá nhân rồi công khai.
ticket-other-actions = Thao tác khác
ticket-danger-heading = Kết thúc xử lý mà không trả lời nội dung
ticket-danger-hint = Các thao tác dưới đây kết thúc việc xử lý phản ánh, kiến nghị tại Sở và được thông báo cho người gửi. Hãy kiểm tra kỹ trước khi thực hiện.

## Xác nhận thao tác kết thúc
ticket-confirm-reject = Tôi xác nhận từ chối tiếp nhận phản ánh, kiến nghị này.
ticket-confirm-out-of-scope = Tôi xác nhận phản ánh, kiến nghị này không thuộc phạm vi giải quyết của Sở.
ticket-confirm-transfer = Tôi xác nhận chuyển phản ánh, kiến nghị này sang cơ quan khác; Sở không tiếp tục xử lý.
ticket-confirm-close-duplicate = Tôi xác nhận đóng phản ánh, kiến nghị này do trùng lặp.
ticket-confirm-withdraw = Tôi xác nhận người gửi đã đề nghị rút phản ánh, kiến nghị này.
ticket-err-confirm = Vui lòng đánh dấu ô “Tôi xác nhận …” để thực hiện thao tác này. Nội dung đã nhập vẫn được giữ.
ticket-confirm-js = Thao tác này kết thúc việc xử lý và được thông báo cho người gửi. Tiếp tục?

## Mẫu trả lời trên biểu mẫu
ticket-template-label = Mẫu văn bản
ticket-template-choose = — Chọn mẫu —
ticket-template-insert = Chèn mẫu
ticket-template-hint = Chèn mẫu sẽ thay nội dung đang soạn bằng nội dung mẫu; sau đó hãy sửa các chỗ “…”.
ticket-draft-hint = Soạn nội dung văn bản trả lời gửi người dân. Có thể đính kèm văn bản đã ký (PDF).

## Biểu mẫu duyệt
ticket-required-note = Các mục có dấu * là bắt buộc.
ticket-required = bắt buộc
ticket-approve-err = Chưa thể duyệt: vui lòng kiểm tra các mục được đánh dấu.
ticket-approve-err-number = Vui lòng nhập số, ký hiệu văn bản trả lời.
ticket-approve-err-date = Vui lòng nhập ngày ban hành (ngày/tháng/năm).
ticket-approve-err-date-invalid = Ngày ban hành không hợp lệ; vui lòng nhập theo dạng ngày/tháng/năm.
ticket-approve-err-signer = Vui lòng nhập người ký văn bản trả lời.

## Quản trị: mẫu trả lời
admin-reply-templates = Mẫu trả lời
admin-reply-templates-about = Mẫu văn bản trả lời và mẫu yêu cầu bổ sung thông tin cán bộ chọn khi soạn.
admin-reply-templates-intro = Nội dung cán bộ chèn vào dự thảo trả lời hoặc yêu cầu bổ sung thông tin, rồi sửa cho từng trường hợp. Mẫu theo lĩnh vực chỉ hiện với phản ánh, kiến nghị của lĩnh vực đó. Nội dung được chèn theo ngôn ngữ của người gửi.
admin-reply-templates-new = Thêm mẫu trả lời
admin-reply-templates-edit = Sửa mẫu trả lời
admin-entity-reply-template = Mẫu trả lời
reply-template-purpose = Dùng cho
reply-template-purpose-reply = Dự thảo trả lời
reply-template-purpose-needs-info = Yêu cầu bổ sung thông tin
reply-template-all-fields = Mọi lĩnh vực
reply-template-body-vi = Nội dung tiếng Việt
reply-template-body-en = Nội dung tiếng Anh
reply-template-field-hint = Để “Mọi lĩnh vực” nếu mẫu dùng chung.
