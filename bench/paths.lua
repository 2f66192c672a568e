-- wrk script: GET one of the paths in $PATHS (one per line), round robin, with the
-- staff session cookie in $COOKIE.
local paths = {}
local i = 0
function init(args)
  for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Cookie"] = os.getenv("COOKIE")})
end
function response(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
end
