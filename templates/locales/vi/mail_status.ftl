## Issue 15, part 6: failed mail in sight and fixable from the web.

## The ticket page's mail card.
mail-card-heading = Thư
mail-card-intro = Mọi thư về phản ánh, kiến nghị này, mới nhất trước, và tình trạng gửi của từng thư.
mail-card-empty = Chưa có thư nào về phản ánh, kiến nghị này.
mail-card-hidden = Địa chỉ được che một phần vì bạn không xem được thông tin cá nhân của người gửi.
mail-to = Gửi tới
mail-state-queued = Đang chờ gửi
mail-state-retrying = Đang thử gửi lại
mail-state-sent = Đã gửi
mail-state-failed = Không gửi được
mail-queued-at = Vào hàng đợi lúc { $at }, chưa gửi lần nào
mail-retrying-detail = Đã thử { $attempts } lần; lần thử tiếp theo lúc { $next }
mail-sent-at = Gửi lúc { $at }
mail-failed-at = Dừng gửi lúc { $at }
mail-server-answer = Trả lời của máy chủ thư
mail-refused = Bị máy chủ thư từ chối hẳn
mail-kind-inbound-refusal = Thư báo không tiếp nhận được thư gửi đến
mail-kind-intake-ack = Xác nhận đã nhận thư PAKN chờ hoàn thiện
mail-kind-notify-staff = Thông báo PAKN mới cho cán bộ khác
mail-kind-notify-unit = Thông báo PAKN mới cho đơn vị xử lý
mail-kind-moved-unit = Thông báo PAKN chuyển đến đơn vị
mail-kind-moved-staff = Thông báo PAKN chuyển đơn vị cho cán bộ khác
mail-kind-new-link = Đường dẫn riêng mới gửi người gửi
mail-kind-reminder = Nhắc hạn xử lý
mail-kind-digest = Bản tổng hợp định kỳ
mail-kind-privacy-answer = Trả lời yêu cầu về dữ liệu cá nhân
mail-kind-role-change = Thay đổi vai trò tài khoản

## Correcting the citizen's address from the ticket page.
mail-fix-heading = Sửa địa chỉ thư điện tử của người gửi và gửi lại
mail-fix-hint = Thư gửi người gửi không tới được địa chỉ { $email }. Nếu địa chỉ bị gõ nhầm (hãy hỏi lại người gửi, ví dụ qua điện thoại), nhập địa chỉ đúng: các thư chưa tới được người gửi sẽ được gửi lại tới địa chỉ mới. Việc sửa được ghi vào dòng thời gian, chỉ cán bộ thấy.
mail-fix-label = Địa chỉ thư điện tử đúng
mail-fix-submit = Sửa địa chỉ và gửi lại
mail-fix-err-empty = Vui lòng nhập địa chỉ thư điện tử mới.
mail-fix-err-email = Địa chỉ thư điện tử không hợp lệ. Vui lòng kiểm tra lại, ví dụ: ten@example.vn.
mail-fix-err-same = Địa chỉ mới trùng với địa chỉ hiện tại. Nếu địa chỉ đúng, hãy nhờ quản trị hệ thống gửi lại thư.
mail-fix-err-no-email = Người gửi không khai địa chỉ thư điện tử.
mail-fix-err-gone = Phản ánh, kiến nghị này đã được ẩn danh; không sửa được địa chỉ.
event-email-corrected = Sửa địa chỉ thư điện tử của người gửi

## The admin page of mail in trouble.
admin-mail = Thư lỗi và thư chờ lâu
admin-mail-about = Thư không gửi được và thư chờ gửi quá lâu; gửi lại từng thư hoặc tất cả.
admin-mail-intro = Thư đã dừng gửi (không người nhận nào nhận được) và thư chờ gửi quá { $minutes } phút, mới nhất trước, tối đa { $limit } thư. Địa chỉ được che một phần; mở phản ánh, kiến nghị để xem đầy đủ (nếu bạn có quyền).
admin-mail-empty = Không có thư lỗi hay thư chờ lâu.
admin-mail-col-code = Mã PAKN
admin-mail-col-kind = Loại thư
admin-mail-col-to = Gửi tới
admin-mail-col-state = Tình trạng
admin-mail-col-attempts = Số lần thử
admin-mail-col-answer = Trả lời của máy chủ thư
admin-mail-col-action = Thao tác
admin-mail-no-ticket = (không gắn với phản ánh, kiến nghị)
admin-mail-retry = Gửi lại
admin-mail-retry-all = Gửi lại tất cả thư lỗi ({ $count })
admin-mail-retried = Đã đưa { $count } thư trở lại hàng đợi; thư sẽ được gửi trong ít phút.
admin-mail-nothing = Không có thư nào để gửi lại: thư đã được gửi hoặc đã ở trong hàng đợi.
admin-entity-outbox = Thư
admin-entity-ticket = Phản ánh, kiến nghị
admin-action-mail-retry = Gửi lại thư
admin-action-mail-retry-all = Gửi lại mọi thư lỗi
admin-action-email-correct = Sửa địa chỉ thư điện tử của người gửi

## The receipt and the track page: the acknowledgement's fate.
receipt-ack-pending = Thư xác nhận kèm mã PAKN sẽ được gửi tới { $to }.
receipt-ack-sent = Thư xác nhận kèm mã PAKN đã được gửi tới { $to }.
receipt-ack-failed-heading = Không gửi được thư xác nhận
receipt-ack-failed = Không gửi được thư xác nhận tới { $to }: máy chủ thư của địa chỉ này đã từ chối nhận.
receipt-ack-failed-keep = Phản ánh, kiến nghị của bạn đã được ghi nhận và vẫn được xem xét, xử lý bình thường. Hãy lưu đường dẫn riêng của trang này (hoặc in trang) và ghi lại mã PAKN ở trên để theo dõi.
receipt-ack-failed-check = Kiểm tra lại địa chỉ thư điện tử đã khai: có thể bị gõ nhầm.
receipt-ack-failed-hotline = Gọi đường dây nóng { $phone } để báo địa chỉ đúng; cán bộ sẽ sửa và gửi lại thư cho bạn.
receipt-ack-failed-contact = Liên hệ cơ quan tiếp nhận (xem trang Danh bạ) để báo địa chỉ đúng; cán bộ sẽ sửa và gửi lại thư cho bạn.
