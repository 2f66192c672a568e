-- wrk script: POST /track with the code and phone of one of the PAKN in $PAIRS
-- ("CODE PHONE" per line), round robin, with a valid form token $TOKEN. A found PAKN
-- answers 303 to its private link.
local pairs_ = {}
local i = 0
function init(args)
  for line in io.lines(os.getenv("PAIRS")) do
    local code, phone = line:match("^(%S+)%s+(%S+)$")
    if code then pairs_[#pairs_ + 1] = "code=" .. code .. "&contact=" .. phone end
  end
end
function request()
  i = i % #pairs_ + 1
  return wrk.format("POST", "/track", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "form_token=" .. os.getenv("TOKEN") .. "&" .. pairs_[i])
end
function response(status, headers, body)
  if status ~= 303 then io.stderr:write("status " .. status .. "\n") end
end
