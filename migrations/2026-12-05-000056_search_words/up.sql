-- The administration's abbreviations and synonyms for search (issue 21, item 5): each
-- row is a group of terms that mean the same, as admins write them on
-- /staff/admin/synonyms. Search folds the terms (no diacritics, lower case, đ → d) and
-- expands a query's words that spell one term into "any term of its group", in the
-- staff search and on /answers. Edits are audited and bump the reference version, so
-- every instance reloads the list (it is cached with the reference data, never read per
-- search). Seeded with the common ones; admins add, edit and remove groups.
CREATE TABLE search_synonyms (
    id         serial PRIMARY KEY,
    terms      text[] NOT NULL CHECK (cardinality(terms) BETWEEN 2 AND 20),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO search_synonyms (terms) VALUES
(ARRAY['TTHC', 'thủ tục hành chính']),
(ARRAY['BHXH', 'bảo hiểm xã hội']),
(ARRAY['BHYT', 'bảo hiểm y tế']),
(ARRAY['BHTN', 'bảo hiểm thất nghiệp']),
(ARRAY['UBND', 'ủy ban nhân dân', 'uỷ ban nhân dân']),
(ARRAY['HĐND', 'hội đồng nhân dân']),
(ARRAY['CCCD', 'căn cước công dân', 'căn cước']),
(ARRAY['CMND', 'chứng minh nhân dân', 'chứng minh thư']),
(ARRAY['CBCCVC', 'cán bộ, công chức, viên chức']),
(ARRAY['CBCC', 'cán bộ, công chức']),
(ARRAY['CCVC', 'công chức, viên chức']),
(ARRAY['GCN', 'giấy chứng nhận']),
(ARRAY['QSDĐ', 'quyền sử dụng đất']),
(ARRAY['GCNQSDĐ', 'GCN QSDĐ', 'giấy chứng nhận quyền sử dụng đất', 'sổ đỏ']),
(ARRAY['GPLX', 'giấy phép lái xe', 'bằng lái xe']),
(ARRAY['ĐKKD', 'đăng ký kinh doanh']),
(ARRAY['DVC', 'dịch vụ công']),
(ARRAY['DVCTT', 'dịch vụ công trực tuyến']),
(ARRAY['TN&MT', 'TNMT', 'tài nguyên và môi trường', 'tài nguyên môi trường']),
(ARRAY['NN&MT', 'NNMT', 'nông nghiệp và môi trường']),
(ARRAY['LĐTBXH', 'LĐ-TB&XH', 'lao động – thương binh và xã hội', 'lao động thương binh xã hội']),
(ARRAY['SNV', 'Sở Nội vụ']),
(ARRAY['NĐ', 'nghị định']),
(ARRAY['QĐ', 'quyết định']),
(ARRAY['TT', 'thông tư']),
(ARRAY['PAKN', 'phản ánh, kiến nghị']),
(ARRAY['CSDL', 'cơ sở dữ liệu']),
(ARRAY['KT-XH', 'KTXH', 'kinh tế – xã hội']),
(ARRAY['HS', 'hồ sơ']),
(ARRAY['BPMC', 'bộ phận một cửa']),
(ARRAY['TTPVHCC', 'trung tâm phục vụ hành chính công']),
(ARRAY['VBQPPL', 'văn bản quy phạm pháp luật']),
(ARRAY['NSNN', 'ngân sách nhà nước']);
