-- wrk script: POST /api/v1/pakn as a client ($KEY) with a fresh idempotency key per
-- request (the thread's number and a counter), JSON without files, each with its own
-- random mobile number (see post_feedback.lua).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  thread_id = id or 0
  math.randomseed(os.time() + thread_id)
end

local body_tail = [[",
"full_name": "Nguyễn Văn Bình",
"address": "25 Lý Thường Kiệt, phường Rạch Giá, An Giang",
"email": "binh.nguyen@example.vn",
"kind": "phan_anh",
"content_category": "khong_phu_hop",
"field": "viec_lam",
"title": "Thủ tục đăng ký thất nghiệp còn rườm rà",
"content": "Hồ sơ đề nghị hưởng trợ cấp thất nghiệp yêu cầu nhiều giấy tờ trùng lặp, đề nghị xem xét đơn giản hóa.",
"consent": true}]]

function request()
  counter = counter + 1
  local body = '{"phone": "' .. string.format("09%08d", math.random(0, 99999999)) ..
    '", "idempotency_key": "bench-' .. os.time() .. '-' .. thread_id .. '-' .. counter .. body_tail
  return wrk.format("POST", "/api/v1/pakn", {
    ["Authorization"] = "Bearer " .. os.getenv("KEY"),
    ["Content-Type"] = "application/json",
  }, body)
end
