# Issue 17 (citizen): the public top navigation, the boxes of the track page, the private
# link card, the printed heading, the sending state of forms, the staff-issued receipt.

citizen-nav-label = Chức năng chính
citizen-nav-file = Gửi PAKN
citizen-nav-track = Tra cứu
citizen-nav-answers = Kết quả trả lời
citizen-nav-directory = Danh bạ

# The print-only heading of the receipt and the track page.
print-national-1 = CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
print-national-2 = Độc lập - Tự do - Hạnh phúc
print-place-date = { $place }, ngày { $day } tháng { $month } năm { $year }
print-date = Ngày { $day } tháng { $month } năm { $year }

# The private link card (the citizen's key).
citizen-key-heading = Đường dẫn riêng của bạn
citizen-key-advice = Hãy lưu lại hoặc đánh dấu trang này: đường dẫn này là chìa khóa để bạn theo dõi, bổ sung thông tin và đánh giá kết quả. Không chia sẻ đường dẫn này cho người khác.
citizen-key-copy = Sao chép đường dẫn
citizen-key-copied = Đã sao chép đường dẫn.
citizen-key-copy-failed = Không sao chép được; hãy chọn đường dẫn và sao chép thủ công.

# The officer's question, above the form that answers it.
citizen-asked-heading = Cơ quan đề nghị bạn bổ sung:
citizen-asked-on = Ngày đề nghị
citizen-asked-no-text = Cơ quan chưa ghi nội dung cần bổ sung; vui lòng gọi đường dây nóng để được hướng dẫn.
citizen-asked-clock-paused = Thời hạn trả lời tạm dừng trong khi chờ bạn bổ sung và được tính tiếp khi bạn gửi thông tin.
citizen-asked-clock-running = Thời hạn trả lời vẫn tiếp tục được tính trong khi chờ bạn bổ sung.
citizen-asked-answer-link = Gửi thông tin bổ sung

# Why a PAKN ended unanswered, and what the citizen can do now.
citizen-ended-heading-rejected = Lý do không tiếp nhận
citizen-ended-heading-out-of-scope = Lý do không thuộc phạm vi
citizen-ended-heading-transferred = Đã chuyển đến cơ quan có thẩm quyền
citizen-ended-at = Thời điểm quyết định: { $at }
citizen-now-heading = Bạn có thể làm gì bây giờ
citizen-now-rejected-refile = Nếu lý do là thiếu thông tin, bạn có thể gửi một phản ánh, kiến nghị mới với đầy đủ các nội dung còn thiếu.
citizen-now-complaints = Khiếu nại, tố cáo không giải quyết qua hệ thống này; hãy gửi đến cơ quan có thẩm quyền theo các địa chỉ dưới đây.
citizen-now-out-of-scope-body = Hãy gửi nội dung này đến cơ quan có thẩm quyền giải quyết: { $body }.
citizen-now-out-of-scope-unknown = Hãy gửi nội dung này đến cơ quan có thẩm quyền giải quyết theo quy định của pháp luật.
citizen-now-agency-unknown = cơ quan có thẩm quyền
citizen-now-transferred = Phản ánh, kiến nghị của bạn đã được chuyển đến { $agency }; cơ quan này sẽ xem xét và trả lời bạn. Bạn có thể liên hệ trực tiếp cơ quan đó.
citizen-now-transferred-reference = Khi liên hệ, hãy nêu văn bản chuyển số { $reference }.
citizen-now-transferred-reference-dated = Khi liên hệ, hãy nêu văn bản chuyển số { $reference }, ngày { $date }.
citizen-now-hotline = Cần hỏi thêm? Gọi đường dây nóng { $phone }.
citizen-now-file-again = Gửi phản ánh, kiến nghị mới

# The receipt a staff member prints and hands over (giấy biên nhận).
paper-receipt-title = GIẤY BIÊN NHẬN PHẢN ÁNH, KIẾN NGHỊ
paper-receipt-intro = { $site } đã tiếp nhận phản ánh, kiến nghị với các thông tin sau:
paper-receipt-sender = Người gửi
paper-receipt-person = Ông/Bà { $name }
paper-receipt-organization = { $organization } (người đại diện: Ông/Bà { $name })
paper-receipt-received = Thời điểm tiếp nhận
paper-receipt-accept-due = Hạn tiếp nhận, phân loại
paper-receipt-reply-due = Hạn trả lời (dự kiến)
paper-receipt-follow-heading = Cách theo dõi kết quả
paper-receipt-follow-code = Người gửi tra cứu bằng mã số trên và số điện thoại hoặc email đã khai tại:
paper-receipt-follow-link = Hoặc mở đường dẫn riêng sau (không chia sẻ cho người khác):
paper-receipt-follow-mail = Nếu người gửi có email, kết quả giải quyết được gửi đến email đó.
paper-receipt-signer-sender = Người gửi
paper-receipt-signer-officer = Người tiếp nhận
paper-receipt-sign-hint = (Ký, ghi rõ họ tên)

# Forms being sent (JavaScript only), and the browser's own message for an empty choice.
citizen-sending = Đang gửi…
# { percent } is replaced in the browser; keep it as written.
citizen-sending-progress = Đang gửi… {"{"}percent{"}"}%
citizen-send-failed = Chưa gửi được: kết nối mạng bị gián đoạn. Thông tin bạn nhập vẫn còn; vui lòng thử gửi lại.
citizen-choose-one = Vui lòng chọn một mục.
