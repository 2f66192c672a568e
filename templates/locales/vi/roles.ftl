## Separation of duties: roles that read PAKN given to an admin wait for a second admin;
## every change of an account's roles is mailed to all admins.

mail-role-created-subject = [PAKN] Tài khoản mới: { $user }
mail-role-created-intro = { $actor } đã tạo tài khoản { $user }.
mail-role-changed-subject = [PAKN] Vai trò của { $user } đã thay đổi
mail-role-changed-intro = { $actor } đã thay đổi vai trò hoặc đơn vị của { $user }.
mail-role-requested-subject = [PAKN] Chờ phê duyệt: vai trò mới cho { $user }
mail-role-requested-intro = { $actor } đề nghị cấp cho { $user } vai trò được đọc PAKN. Vai trò này chỉ có hiệu lực khi một quản trị viên khác phê duyệt.
mail-role-approved-subject = [PAKN] Đã phê duyệt vai trò cho { $user }
mail-role-approved-intro = { $actor } đã phê duyệt vai trò được đọc PAKN cho { $user }.
mail-role-rejected-subject = [PAKN] Đã từ chối vai trò cho { $user }
mail-role-rejected-intro = { $actor } đã từ chối đề nghị cấp vai trò được đọc PAKN cho { $user }.
mail-role-before = Trước
mail-role-after = Sau
mail-role-pending = Chờ phê duyệt
mail-role-none = (không có)
mail-role-why = Mọi quản trị viên nhận thư này để việc cấp quyền luôn có người thứ hai biết. Nếu thay đổi này không đúng, hãy kiểm tra ngay tại trang Người dùng:

role-grants-heading = Vai trò chờ phê duyệt
role-grants-intro = Vai trò được đọc PAKN mà một quản trị viên cấp cho chính mình hoặc cho quản trị viên khác chỉ có hiệu lực khi một quản trị viên thứ hai phê duyệt.
role-grants-user = Tài khoản
role-grants-roles = Vai trò đề nghị
role-grants-requested = Người đề nghị, lúc
role-grants-approve = Phê duyệt
role-grants-reject = Từ chối
role-grants-not-yours = Một quản trị viên khác (không phải người đề nghị, không phải người được cấp) cần phê duyệt.
role-grants-gone = Đề nghị này đã được xử lý hoặc không còn.
users-done-pending = Đã lưu. Vai trò được đọc PAKN đang chờ một quản trị viên khác phê duyệt.
users-done-approved = Đã phê duyệt; vai trò có hiệu lực từ bây giờ.
users-done-rejected = Đã từ chối đề nghị cấp vai trò.
