# Phía người dân sau khi gửi: trang theo dõi, tra cứu, quên mã, danh bạ, bộ đếm truy cập,
# thông báo xử lý dữ liệu cá nhân. Mỗi khoá có bản tiếng Anh trong en/track.ftl.

nav-track = Tra cứu PAKN
nav-directory = Danh bạ tiếp nhận PAKN
nav-privacy = Bảo vệ dữ liệu cá nhân
footer-nav = Liên kết
privacy-read-full = Đọc toàn văn Thông báo xử lý dữ liệu cá nhân

## Trang theo dõi
track-heading = Theo dõi phản ánh, kiến nghị
track-needs-info-due = Hạn bổ sung thông tin
track-due-on-time = Trong hạn
track-due-soon = Sắp đến hạn
track-due-overdue = Quá hạn
track-answered-on-time = Đã trả lời đúng hạn
track-answered-late = Đã trả lời, trễ hạn
track-reply-heading = Văn bản trả lời
track-reply-earlier = Văn bản trả lời trước đó
track-reply-number = Số, ký hiệu
track-reply-date = Ngày ban hành
track-reply-signer = Người ký
track-reply-files = Tệp đính kèm văn bản trả lời
track-timeline-heading = Quá trình xử lý
track-timeline-empty = Chưa có diễn biến nào.
track-event-update = Cập nhật
track-actor-citizen = Người gửi
track-actor-system = Hệ thống
track-actor-staff = Cán bộ xử lý
track-competent-body = Cơ quan có thẩm quyền
track-agency = Cơ quan nhận
track-reference = Số văn bản
track-date = Ngày
track-duplicate-of = Trùng với
track-print = In trang này
track-rating = Mức đánh giá
track-rate-latest = Phản ánh, kiến nghị này đã được trả lời lại. Đánh giá này dành cho văn bản trả lời mới nhất.

## Tra cứu bằng mã PAKN
track-box-heading = Tra cứu PAKN
track-box-intro = Nhập mã PAKN và số điện thoại hoặc thư điện tử đã khai khi gửi.
track-label-code = Mã PAKN
track-hint-code = 10 ký tự, ví dụ AB12-CD34-EF; không phân biệt chữ hoa, chữ thường.
track-label-contact = Số điện thoại hoặc thư điện tử
track-hint-contact = Đúng số điện thoại hoặc thư điện tử đã khai khi gửi phản ánh, kiến nghị.
track-submit = Tra cứu
track-forgot-link = Quên mã PAKN?
track-not-found = Không tìm thấy phản ánh, kiến nghị với mã và thông tin liên hệ này. Vui lòng kiểm tra lại.
track-limited = Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút, hoặc mở đường dẫn riêng trong thư xác nhận.
track-form-expired = Biểu mẫu đã mở quá lâu. Nội dung của bạn vẫn được giữ; vui lòng bấm gửi lại.
track-form-invalid = Biểu mẫu không còn hợp lệ. Nội dung của bạn vẫn được giữ; vui lòng bấm gửi lại.

## Quên mã PAKN
forgot-heading = Quên mã PAKN?
forgot-intro = Nhập địa chỉ thư điện tử đã khai khi gửi phản ánh, kiến nghị. Hệ thống sẽ gửi đến địa chỉ đó mã PAKN và đường dẫn riêng của mọi phản ánh, kiến nghị đã gửi bằng địa chỉ này.
forgot-submit = Gửi mã PAKN qua thư điện tử
forgot-sent = Yêu cầu đã được ghi nhận. Nếu địa chỉ này đã được dùng để gửi phản ánh, kiến nghị, một thư liệt kê mã PAKN và đường dẫn riêng sẽ đến trong ít phút.
forgot-sent-hint = Nếu không thấy thư, vui lòng kiểm tra hộp thư rác, hoặc gọi số điện thoại tiếp nhận.
forgot-back = Quay lại trang tra cứu
forgot-no-email = Nếu khi gửi bạn không khai thư điện tử, vui lòng gọi số điện thoại tiếp nhận để được hỗ trợ.
mail-forgot-subject = Mã PAKN của Quý ông/bà
mail-forgot-intro = Theo yêu cầu gửi từ trang tra cứu, dưới đây là { $count } phản ánh, kiến nghị đã gửi bằng địa chỉ thư điện tử này.
mail-forgot-keep = Mỗi đường dẫn là đường dẫn riêng để theo dõi; vui lòng không chia sẻ cho người khác.
mail-forgot-not-you = Nếu Quý ông/bà không yêu cầu thư này, xin bỏ qua; không có thay đổi nào được thực hiện.

## Danh bạ tiếp nhận
directory-heading = Danh bạ tiếp nhận PAKN
directory-intro = Số điện thoại và thư điện tử tiếp nhận phản ánh, kiến nghị về thủ tục hành chính, và đường dây nóng của Sở.
directory-receiving-note = Gọi điện hoặc gửi thư điện tử để phản ánh, kiến nghị về quy định hành chính và việc thực hiện thủ tục hành chính.
directory-hotline-note = Đường dây nóng tiếp nhận thông tin về hoạt động công vụ của ngành nội vụ.
directory-not-here = Khiếu nại, tố cáo và yêu cầu tư vấn pháp luật không được tiếp nhận qua các đầu mối này.
directory-link = Xem đầy đủ danh bạ tiếp nhận PAKN

## Bộ đếm truy cập
counter-heading = Thống kê truy cập
counter-total = Lượt truy cập
counter-today = Hôm nay
counter-online = Đang online

## Thông báo xử lý dữ liệu cá nhân
privacy-heading = Thông báo xử lý dữ liệu cá nhân
privacy-version = Phiên bản { $version }
privacy-intro = { $site } xử lý dữ liệu cá nhân của người gửi phản ánh, kiến nghị theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định 356/2025/NĐ-CP. Thông báo này cho biết dữ liệu nào được thu thập, để làm gì, ai được xem, lưu trong bao lâu và cách bạn thực hiện quyền của mình.
privacy-what-heading = Dữ liệu được thu thập
privacy-what-identity = Thông tin người gửi: họ và tên (hoặc tên tổ chức và người đại diện), địa chỉ liên hệ, số điện thoại, thư điện tử.
privacy-what-content = Nội dung phản ánh, kiến nghị và tài liệu đính kèm bạn gửi, cùng các trao đổi sau đó.
privacy-what-technical = Dữ liệu kỹ thuật tối thiểu: thời điểm gửi; để chống lạm dụng và đếm lượt truy cập, địa chỉ IP chỉ được dùng dưới dạng mã băm có khóa, thay đổi hằng ngày, không bao giờ được lưu nguyên dạng. Trang công khai chỉ đặt cookie ghi nhớ ngôn ngữ bạn chọn.
privacy-what-never = Hệ thống không yêu cầu số căn cước công dân hay ảnh giấy tờ tùy thân.
privacy-why-heading = Mục đích và căn cứ xử lý
privacy-why = Dữ liệu chỉ được dùng để tiếp nhận, phân loại, xử lý, trả lời phản ánh, kiến nghị và liên hệ với bạn khi cần bổ sung thông tin, theo Nghị định 20/2008/NĐ-CP (sửa đổi bởi Nghị định 92/2017/NĐ-CP). Không dùng cho mục đích quảng cáo, không bán hay chia sẻ cho bên thứ ba vì mục đích thương mại.
privacy-why-publish = Nội dung chỉ được công khai khi bạn đồng ý (có thể rút lại sự đồng ý), và bản công khai đã được cán bộ rà soát, ẩn họ tên, số điện thoại, thư điện tử, địa chỉ và số giấy tờ.
privacy-who-heading = Ai được xem dữ liệu
privacy-who-staff = Cán bộ của đơn vị được giao xử lý, lãnh đạo duyệt văn bản trả lời và tổ kiểm tra công vụ (chỉ xem để giám sát). Mỗi lượt cán bộ xem thông tin cá nhân đều được ghi lại.
privacy-who-mail = Các đầu mối được thông báo qua thư điện tử chỉ nhận tóm tắt nội dung, không kèm số điện thoại, thư điện tử, địa chỉ của bạn.
privacy-who-transfer = Khi phản ánh, kiến nghị thuộc thẩm quyền của cơ quan khác, nội dung được chuyển đến cơ quan đó để giải quyết.
privacy-who-public = Thông tin cá nhân không bao giờ được công khai.
privacy-how-long-heading = Thời gian lưu trữ
privacy-how-long = Dữ liệu được lưu trong { $years } năm kể từ khi phản ánh, kiến nghị kết thúc: khi được đóng (hết thời hạn đánh giá sau khi trả lời, khi bạn rút lại, hoặc khi trùng với một phản ánh, kiến nghị khác), bị từ chối, không thuộc thẩm quyền hoặc được chuyển cơ quan khác. Khi còn đang xử lý hoặc đã trả lời nhưng chưa đóng, thời hạn chưa bắt đầu; nếu được mở lại, thời hạn tính lại từ lần kết thúc sau.
privacy-rights-heading = Quyền của bạn và cách thực hiện
privacy-rights = Bạn có quyền được biết, yêu cầu truy cập, chỉnh sửa, xoá dữ liệu, hạn chế hoặc phản đối việc xử lý, rút lại sự đồng ý, và khiếu nại, khởi kiện theo quy định của pháp luật.
privacy-rights-how = Gửi yêu cầu bằng biểu mẫu dưới đây hoặc qua các đầu mối trong Danh bạ tiếp nhận PAKN. Yêu cầu được trả lời trong { $days } ngày làm việc.
privacy-security-heading = Bảo mật
privacy-security = Dữ liệu được lưu trên hệ thống của cơ quan, truy cập có phân quyền theo vai trò và đơn vị, đường dẫn theo dõi riêng có thể được thu hồi khi bị lộ.
privacy-form-heading = Gửi yêu cầu về dữ liệu cá nhân
privacy-form-intro = Cho biết bạn muốn gì và cách liên hệ với bạn; nếu yêu cầu liên quan đến một phản ánh, kiến nghị, hãy ghi mã PAKN.
privacy-label-kind = Loại yêu cầu
privacy-kind-access = Truy cập, xem dữ liệu của tôi
privacy-kind-correction = Chỉnh sửa dữ liệu
privacy-kind-deletion = Xoá dữ liệu
privacy-kind-objection = Phản đối, hạn chế xử lý hoặc rút lại sự đồng ý
privacy-kind-other = Khác
privacy-label-name = Họ và tên
privacy-label-contact = Số điện thoại hoặc thư điện tử để trả lời
privacy-hint-contact = Ví dụ 0983 570 009 hoặc ten@example.vn.
privacy-label-body = Nội dung yêu cầu
privacy-hint-body = Ít nhất 10 ký tự. Ghi mã PAKN nếu có; không ghi số căn cước công dân.
privacy-submit = Gửi yêu cầu
privacy-sent = Yêu cầu của bạn đã được ghi nhận và sẽ được trả lời trong { $days } ngày làm việc.
privacy-err-contact = Vui lòng nhập số điện thoại hợp lệ hoặc thư điện tử, ví dụ ten@example.vn.
privacy-request-number = Số yêu cầu
privacy-received = Thời điểm nhận
privacy-due = Hạn trả lời
mail-privacy-subject = [Dữ liệu cá nhân] Yêu cầu số { $id }, hạn trả lời { $due }
mail-privacy-intro = Hệ thống vừa nhận một yêu cầu về dữ liệu cá nhân từ trang Thông báo xử lý dữ liệu cá nhân.
mail-privacy-duty = Theo Nghị định 356/2025/NĐ-CP, yêu cầu cần được trả lời trong 2 ngày làm việc. Vui lòng liên hệ người yêu cầu và ghi nhận kết quả xử lý.
track-duplicate-earlier = một phản ánh, kiến nghị đã được tiếp nhận trước đó
