-- wrk script: one workflow action per request. $CODES holds one "action code unit_id"
-- per line; each request takes the next line and POSTs that action to that PAKN:
--   ask_info      in_progress → needs_info, a question (mail to the citizen)
--   accept        submitted → accepted, classified in lĩnh vực $FIELD, unit kept, the
--                 leader as handler
--   submit_draft  accepted → in_progress → pending_approval (mail to the leaders), by
--                 the unit's officer
--   approve       pending_approval → answered, numbered, dated, signed (reply mailed)
-- The leader's session is $COOKIE with anti-forgery token $CSRF; the officers' are in
-- $OFFICERS as "unit:cookie:csrf," entries. Anything but a 303 is reported on stderr.
local lines = {}
local i = 0
local officers = {}
local tails
function init(args)
  for line in io.lines(os.getenv("CODES")) do
    local action, code, unit = line:match("^(%S+) (%S+) (%S+)$")
    if action then lines[#lines + 1] = { action, code, unit } end
  end
  for unit, cookie, csrf in os.getenv("OFFICERS"):gmatch("(%d+):([^:]+):([^,]+),") do
    officers[unit] = { cookie, csrf }
  end
  tails = {
    ask_info = "&question=%C4%90%E1%BB%81+ngh%E1%BB%8B+b%E1%BB%95+sung+s%E1%BB%91+h%E1%BB%93+s%C6%A1.",
    accept = "&field=" .. os.getenv("FIELD") .. "&kind=phan_anh&urgency=normal&procedure=&assignee=2",
    submit_draft = "&body=S%E1%BB%9F+N%E1%BB%99i+v%E1%BB%A5+tr%E1%BA%A3+l%E1%BB%9Di+%C3%B4ng%2Fb%C3%A0+nh%C6%B0+sau.",
    approve = "&number_symbol=123%2FSNV-TTr&date=26%2F11%2F2026&signer=Nguy%E1%BB%85n+V%C4%83n+A",
  }
end
function request()
  i = i + 1
  if i > #lines then i = 1 end
  local action, code, unit = lines[i][1], lines[i][2], lines[i][3]
  local cookie, csrf = os.getenv("COOKIE"), os.getenv("CSRF")
  if action == "submit_draft" then cookie, csrf = officers[unit][1], officers[unit][2] end
  local body = "action=" .. action .. tails[action] .. "&csrf=" .. csrf
  if action == "accept" then body = body .. "&unit=" .. unit end
  return wrk.format("POST", "/staff/tickets/" .. code .. "/act", {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
function response(status, headers, body)
  if status ~= 303 then io.stderr:write("status " .. status .. "\n") end
end
