# Issue 16: PAKN sent by email that wait to be completed ("chờ hoàn thiện"), the
# acknowledgement to their sender, and the staff's screens for inbound mail.
intake-ack-subject = Đã nhận thư của bạn – chưa phải là phản ánh, kiến nghị
intake-ack-received = Hệ thống đã nhận thư “{ $subject }” của bạn lúc { $when }.
intake-ack-not-yet = Thư này chưa được tiếp nhận là phản ánh, kiến nghị (PAKN). Theo quy định, PAKN phải ghi rõ họ và tên, địa chỉ, số điện thoại và địa chỉ thư điện tử hoặc địa chỉ nhận thư của người gửi. Thư của bạn còn thiếu:
intake-ack-email-known = Địa chỉ thư điện tử của bạn đã được ghi nhận.
intake-ack-how = Vui lòng trả lời thư này và ghi đủ các thông tin còn thiếu, hoặc gửi PAKN qua biểu mẫu trực tuyến: { $url }
intake-ack-next = Khi thông tin đã đủ, cán bộ sẽ tiếp nhận PAKN và gửi cho bạn mã PAKN để theo dõi.
intake-missing-name = Họ và tên đầy đủ
intake-missing-address = Địa chỉ liên hệ
intake-missing-phone = Số điện thoại
intake-nav = Thư chờ hoàn thiện
intake-list-title = PAKN qua thư điện tử chờ hoàn thiện
intake-list-intro = Thư gửi đến hộp thư tiếp nhận chưa phải là PAKN: chưa có mã, chưa tính hạn và không nằm trong danh sách PAKN cho đến khi cán bộ bổ sung thông tin và tiếp nhận.
intake-list-count = { $count ->
    [0] Không có thư nào đang chờ.
   *[other] { $count } thư đang chờ hoàn thiện.
}
intake-col-received = Nhận lúc
intake-col-sender = Người gửi
intake-col-subject = Tiêu đề
intake-col-missing = Còn thiếu
intake-no-subject = (không có tiêu đề)
intake-open = Xem và hoàn thiện
intake-item-title = Hoàn thiện PAKN nhận qua thư điện tử
intake-mail = Thư đã nhận
intake-mail-from = Từ
intake-mail-received = Nhận lúc
intake-mail-subject = Tiêu đề
intake-mail-files = Tệp đính kèm
intake-mail-no-files = Không có tệp đính kèm.
intake-file-kept = sẽ được lưu vào PAKN
intake-file-left = không đạt yêu cầu về loại hoặc dung lượng tệp, không được lưu
intake-form = Thông tin PAKN
intake-form-hint = Bổ sung các thông tin còn thiếu theo Điều 7 (họ và tên, địa chỉ, số điện thoại), chọn loại, nhóm nội dung và lĩnh vực. PAKN được tiếp nhận qua kênh thư điện tử, với thời điểm nhận là lúc nhận thư.
intake-accept = Tiếp nhận thành PAKN
intake-spam = Đánh dấu là thư rác
intake-spam-hint = Thư rác không được tiếp nhận và người gửi không nhận được thư thông báo.
intake-back = Quay lại danh sách thư chờ
intake-decided-accepted = Thư này đã được tiếp nhận thành PAKN { $code }.
intake-decided-spam = Thư này đã được đánh dấu là thư rác.
intake-done-spam = Đã đánh dấu thư là thư rác.
inbound-review-title = Thư đến cần cán bộ xem
inbound-review-intro = Thư đến bị giữ lại hoặc xử lý lỗi. “Xử lý lại” đưa thư về hàng chờ xử lý; “Bỏ qua” đánh dấu là đã xem, không làm gì thêm.
inbound-review-none = Không có thư nào cần xem.
inbound-review-col-received = Nhận lúc
inbound-review-col-state = Trạng thái
inbound-review-col-outcome = Kết quả
inbound-review-col-size = Dung lượng
inbound-review-col-attempts = Số lần thử
inbound-review-col-actions = Thao tác
inbound-review-retry = Xử lý lại
inbound-review-discard = Bỏ qua
inbound-review-done-retry = Thư đã được đưa về hàng chờ xử lý.
inbound-review-done-discard = Đã bỏ qua thư.
inbound-review-gone = Thư này không còn chờ cán bộ xem.
inbound-review-nav = Thư đến cần xem
