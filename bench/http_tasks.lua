-- wrk script: GET /api/v1/tasks (the caller's inbox) with the bearer token on line LINE of TOKENS_FILE.
--   wrk -t2 -c64 -d10s --latency -s bench/http_tasks.lua URL -- TOKENS_FILE LINE
local headers = {}
function init(args)
  local line, n = tonumber(args[2]), 0
  for token in io.lines(args[1]) do
    n = n + 1
    if n == line then headers["Authorization"] = "Bearer " .. token end
  end
end

function request()
  return wrk.format("GET", "/api/v1/tasks", headers)
end
