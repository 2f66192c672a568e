## The private link renewed by the citizen or revoked by staff.

private-link-renew = Đổi đường dẫn riêng
private-link-renew-hint-email = Nếu đường dẫn này đã bị người khác biết (thư bị chuyển tiếp, giấy biên nhận để quên, máy dùng chung), hãy đổi đường dẫn: đường dẫn hiện tại sẽ ngừng hoạt động ngay và đường dẫn mới chỉ được gửi tới email bạn đã khai khi gửi phản ánh, kiến nghị.
private-link-renew-hint-no-email = Nếu đường dẫn này đã bị người khác biết, hãy đổi đường dẫn: đường dẫn hiện tại sẽ ngừng hoạt động ngay và trang này sẽ chuyển sang đường dẫn mới. Hãy lưu lại đường dẫn mới; bạn vẫn có thể tra cứu bằng mã PAKN và số điện thoại.
private-link-renew-submit = Đổi sang đường dẫn mới
private-link-renewed-shown = Đây là đường dẫn riêng mới của bạn; đường dẫn cũ đã ngừng hoạt động. Hãy lưu lại đường dẫn dưới đây và không chia sẻ cho người khác.
private-link-limited = Đường dẫn của phản ánh, kiến nghị này đã được đổi nhiều lần trong thời gian ngắn. Vui lòng thử lại sau.
private-link-mailed-heading = Đã gửi đường dẫn mới
private-link-mailed = Đường dẫn riêng mới đã được gửi tới { $to }.
private-link-mailed-old = Đường dẫn cũ đã ngừng hoạt động. Hãy mở thư và dùng đường dẫn mới để theo dõi phản ánh, kiến nghị.
private-link-mailed-no-mail = Nếu không thấy thư sau vài phút, hãy kiểm tra hộp thư rác, hoặc tra cứu bằng mã PAKN và số điện thoại.
private-link-revoke = Thu hồi đường dẫn riêng của người gửi
private-link-revoke-hint = Dùng khi đường dẫn riêng có thể đã lộ (thư bị chuyển tiếp, giấy biên nhận bị thất lạc). Đường dẫn hiện tại ngừng hoạt động ngay; đường dẫn mới được gửi tới email người gửi đã khai (nếu có), nếu không người gửi tra cứu lại bằng mã PAKN và số điện thoại.
private-link-revoke-submit = Thu hồi và tạo đường dẫn mới
event-private-link = Đổi đường dẫn riêng
mail-new-link-subject = Đường dẫn mới để theo dõi phản ánh, kiến nghị { $code }
mail-new-link-intro-citizen = Theo đề nghị của người giữ đường dẫn riêng, đường dẫn theo dõi phản ánh, kiến nghị { $code } đã được đổi. Đường dẫn mới:
mail-new-link-intro-staff = Cơ quan tiếp nhận đã thu hồi đường dẫn riêng cũ của phản ánh, kiến nghị { $code } để bảo vệ thông tin của bạn. Đường dẫn mới:
mail-new-link-open = Mở trang theo dõi
mail-new-link-old = Đường dẫn cũ không còn dùng được.
mail-new-link-keep = Hãy lưu thư này và không chuyển tiếp cho người khác: ai có đường dẫn này đều xem được phản ánh, kiến nghị và câu trả lời.
