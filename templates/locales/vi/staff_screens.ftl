# A 403 or 404 inside the staff dashboard.
staff-error-forbidden-title = Không có quyền
staff-error-forbidden = Tài khoản của bạn không có quyền mở trang này. Nếu cần, hãy đề nghị quản trị viên cấp quyền.
staff-error-not-found-title = Không tìm thấy
staff-error-not-found = Không tìm thấy trang hoặc phản ánh, kiến nghị này, hoặc nó không thuộc đơn vị bạn được xem.
staff-error-back = Về trang làm việc
# The users list: the button inside the "reset password" disclosure.
users-reset-save = Lưu mật khẩu mới
