# Tìm kiếm (issue 21, mục 5): từ viết tắt và đồng nghĩa, số kết quả, thứ tự phù hợp.

## Số kết quả và thứ tự
search-count-one = 1 kết quả
search-count = { $n } kết quả
search-count-more = Hơn { $n } kết quả
search-best-first = Kết quả phù hợp nhất xếp trước (tiêu đề có từ cần tìm), sau đó mới nhất trước.
search-best-first-link = Xếp kết quả phù hợp nhất trước
search-also = Tìm cả: { $terms }

## Quản trị: từ viết tắt và đồng nghĩa
admin-synonyms = Từ viết tắt và đồng nghĩa
admin-synonyms-about = Các cách viết cùng nghĩa (như TTHC và thủ tục hành chính) mà ô tìm kiếm hiểu được.
admin-synonyms-intro = Mỗi nhóm gồm các cách viết cùng nghĩa. Khi cán bộ tìm trong danh sách phản ánh, kiến nghị hoặc người dân tìm trên trang kết quả trả lời bằng một cách viết trong nhóm, kết quả có cả các cách viết khác. Tìm kiếm không phân biệt dấu, chữ hoa, chữ thường. Thay đổi có hiệu lực ngay sau khi lưu.
admin-synonyms-new = Thêm nhóm
admin-synonyms-edit = Sửa nhóm
admin-synonyms-form-intro = Ví dụ, một nhóm gồm hai dòng "CCCD" và "căn cước công dân": tìm "CCCD" sẽ thấy cả phản ánh viết "căn cước công dân", và ngược lại.
admin-synonym-first = Từ viết tắt
admin-synonym-others = Cách viết cùng nghĩa
admin-synonym-terms = Các cách viết
admin-synonym-terms-hint = Mỗi dòng một cách viết, ít nhất hai dòng. Các cách viết chỉ khác nhau về dấu hoặc chữ hoa được coi là một.
admin-synonym-remove = Xóa nhóm
admin-synonym-taken = Cách viết { $value } đã có trong một nhóm khác; hãy sửa nhóm đó.
admin-err-terms-few = Nhập ít nhất hai cách viết khác nhau (không tính khác biệt về dấu, chữ hoa).
admin-err-terms-many = Một nhóm có tối đa { $value } cách viết.
admin-err-term-words = Mỗi cách viết có tối đa { $value } từ.
admin-entity-search-synonym = Từ viết tắt, đồng nghĩa
