# Issue 14, the edge: acknowledgements within mail_per_address (finding 11), the upload
# stash's budgets (finding 3).
receipt-email-skipped = Hệ thống chưa gửi thư xác nhận vì địa chỉ thư điện tử này đã nhận nhiều thư từ chúng tôi trong thời gian ngắn. Vui lòng ghi lại mã PAKN ở trên để theo dõi.
notice-files-not-kept = Các tệp vừa đính kèm không thể lưu tạm. Vui lòng đính kèm lại khi gửi lại biểu mẫu.
