-- wrk script: POST /feedback with a fresh form token per request (tokens from
-- bench-tokens, one per line in $TOKENS), multipart without attachment. Each filing has
-- its own random mobile number: one number for all of them made half of pakn_1m share it
-- and the phone lookups of later benchmarks read hundreds of thousands of PAKN.
local tokens = {}
local next_token = 1

function init(args)
  math.randomseed(os.time())
  local path = os.getenv("TOKENS") or "tokens.txt"
  for line in io.lines(path) do
    tokens[#tokens + 1] = line
  end
end

local boundary = "----paknbench7MA4YWxkTrZu0gW"
local fields = {
  {"submitter_kind", "individual"},
  {"full_name", "Nguyễn Văn Bình"},
  {"address", "25 Lý Thường Kiệt, phường Rạch Giá, An Giang"},
  {"phone", nil}, -- a random mobile number per filing (body_for)
  {"email", "binh.nguyen@example.vn"},
  {"kind", "phan_anh"},
  {"content_category", "khong_phu_hop"},
  {"field", "viec_lam"},
  {"title", "Thủ tục đăng ký thất nghiệp còn rườm rà"},
  {"content", "Hồ sơ đề nghị hưởng trợ cấp thất nghiệp yêu cầu nhiều giấy tờ trùng lặp, đề nghị xem xét đơn giản hóa."},
  {"consent", "1"},
}

local function body_for(token)
  local parts = {}
  parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n" .. token .. "\r\n"
  for _, f in ipairs(fields) do
    local value = f[2] or string.format("09%08d", math.random(0, 99999999))
    parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. f[1] .. "\"\r\n\r\n" .. value .. "\r\n"
  end
  parts[#parts + 1] = "--" .. boundary .. "--\r\n"
  return table.concat(parts)
end

function request()
  local token = tokens[next_token]
  next_token = next_token + 1
  if token == nil then
    token = "exhausted"
  end
  return wrk.format("POST", "/feedback", {["Content-Type"] = "multipart/form-data; boundary=" .. boundary}, body_for(token))
end

function response(status, headers, body)
  if status ~= 303 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
