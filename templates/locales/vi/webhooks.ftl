# Webhooks of API clients (issue 20): the admins' mail when a subscription is switched off.
webhook-off-subject = Webhook của { $client } đã bị tắt vì gửi không được
webhook-off-intro = Mọi lần gửi sự kiện tới địa chỉ webhook dưới đây đều không thành công trong nhiều ngày, nên hệ thống đã tắt đăng ký này. Các sự kiện chưa gửi vẫn được giữ lại.
webhook-off-client = Hệ thống kết nối
webhook-off-url = Địa chỉ nhận
webhook-off-since = Gửi không được từ
webhook-off-what = Khi bên nhận đã hoạt động trở lại, hãy bật lại đăng ký và gửi lại các sự kiện tại:
