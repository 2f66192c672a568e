-- wrk script: GET /api/v1/pakn/{code} as a client ($KEY), cycling through the codes it
-- filed (one per line in $CODES).
local codes = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("CODES")) do
    codes[#codes + 1] = line
  end
end

function request()
  i = i % #codes + 1
  return wrk.format("GET", "/api/v1/pakn/" .. codes[i], {
    ["Authorization"] = "Bearer " .. os.getenv("KEY"),
  })
end
