-- wrk script: one workflow action per request. Each request takes the next code of
-- $CODES (one per line) and POSTs "ask for more information" to it (in_progress →
-- needs_info: a status change, a timeline event, two counter writes and a mail to the
-- citizen), with the leader's session cookie $COOKIE and its anti-forgery token $CSRF.
local codes = {}
local i = 0
local body_tail
function init(args)
  for line in io.lines(os.getenv("CODES")) do codes[#codes + 1] = line end
  body_tail = "&action=ask_info&csrf=" .. os.getenv("CSRF") ..
    "&question=" .. "%C4%90%E1%BB%81+ngh%E1%BB%8B+b%E1%BB%95+sung+s%E1%BB%91+h%E1%BB%93+s%C6%A1."
end
function request()
  i = i + 1
  if i > #codes then i = 1 end
  return wrk.format("POST", "/staff/tickets/" .. codes[i] .. "/act", {
    ["Cookie"] = os.getenv("COOKIE"),
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "x=1" .. body_tail)
end
function response(status, headers, body)
  if status ~= 303 then io.stderr:write("status " .. status .. "\n") end
end
