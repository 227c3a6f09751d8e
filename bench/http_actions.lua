-- wrk script: POST /api/v1/cases/{id}/actions (village submit, durable) on distinct cases.
--   wrk -t2 -c64 -d10s --latency -s bench/http_actions.lua URL -- CASES_FILE TOKENS_FILE THREADS
-- Each wrk thread walks its own stride of the seeded case ids (one open village step each, version
-- 1), so every request is a real transition; a run that outlasts the ids gets 422s (reported by
-- wrk as non-2xx and by run.sh).
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local cases, next_index, stride, headers = {}, 0, 1, {}
function init(args)
  for line in io.lines(args[1]) do cases[#cases + 1] = line end
  local f = io.open(args[2])
  local token = f:read("*l")
  f:close()
  stride = tonumber(args[3])
  next_index = tid
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

local body = '{"action":"submit","comment":"村级填报完成","expected_version":1}'
function request()
  local id = cases[(next_index % #cases) + 1]
  next_index = next_index + stride
  return wrk.format("POST", "/api/v1/cases/" .. id .. "/actions", headers, body)
end
