# Staff entry of PAKN received off-line: the citizen's documents.
staff-entry-attachments = Tài liệu của người gửi (bản chụp, bản quét)
staff-entry-kept-files = Tệp đã tải lên (bỏ chọn để không lưu):
staff-entry-reused = Biểu mẫu này đã được lưu trước đó với nội dung khác. Nội dung mới vẫn được giữ; bấm Lưu để nhập thành một phản ánh, kiến nghị mới.
# The officer fills the form for the sender: third person.
staff-entry-publish-consent = Người gửi đồng ý công khai nội dung (đã ẩn thông tin cá nhân)
