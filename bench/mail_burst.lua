-- wrk script for bench/mail.sh: POST /feedback once per token in $TOKENS (up to
-- $LIMIT), then stops the thread. Multipart, no attachment, with an email so every
-- filing queues two mails (acknowledgement + notification).
local tokens = {}
local next_token = 1
local limit

function init(args)
  for line in io.lines(os.getenv("TOKENS")) do
    tokens[#tokens + 1] = line
  end
  limit = tonumber(os.getenv("LIMIT") or #tokens)
end

local boundary = "----paknmailbench3f1c"
local fields = {
  {"submitter_kind", "individual"},
  {"full_name", "Trần Văn Bình"},
  {"address", "25 Lý Thường Kiệt, phường Rạch Giá, An Giang"},
  {"phone", "0912 345 678"},
  {"email", "binh.tran@example.vn"},
  {"kind", "phan_anh"},
  {"content_category", "cham_tre_phien_ha"},
  {"field", "bao_hiem_xa_hoi"},
  {"title", "Chậm giải quyết hồ sơ bảo hiểm xã hội"},
  {"content", "Hồ sơ nộp tại bộ phận một cửa đã quá hạn mà chưa có kết quả giải quyết."},
  {"consent", "1"},
}

local function body_for(token)
  local parts = {}
  parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n" .. token .. "\r\n"
  for _, f in ipairs(fields) do
    parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. f[1] .. "\"\r\n\r\n" .. f[2] .. "\r\n"
  end
  parts[#parts + 1] = "--" .. boundary .. "--\r\n"
  return table.concat(parts)
end

function request()
  local token = tokens[next_token]
  next_token = next_token + 1
  if token == nil or next_token > limit + 1 then
    wrk.thread:stop()
    token = "exhausted"
  end
  return wrk.format("POST", "/feedback", {["Content-Type"] = "multipart/form-data; boundary=" .. boundary}, body_for(token))
end
