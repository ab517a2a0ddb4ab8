-- wrk script: session creation, initialize then notifications/initialized with the returned
-- Mcp-Session-Id. A connection sends the initialized notification of a session whose initialize
-- answer its thread has received, else a new initialize. A session counts as created when its
-- initialized notification got 202. Prints one RESULT line (created sessions per second).
local version = os.getenv("MCP_VERSION") or "2025-11-25"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  failed = 0
  pending = {}
  hdrs = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
  }
  init_body = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"' .. version ..
      '","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}'
end

function request()
  local sid = table.remove(pending)
  if sid then
    local h = {
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json, text/event-stream",
      ["Mcp-Session-Id"] = sid,
      ["MCP-Protocol-Version"] = version,
    }
    return wrk.format("POST", nil, h, '{"jsonrpc":"2.0","method":"notifications/initialized"}')
  end
  return wrk.format("POST", nil, hdrs, init_body)
end

function response(status, headers, body)
  local sid = headers["Mcp-Session-Id"] or headers["mcp-session-id"]
  if status == 200 and sid then
    table.insert(pending, sid)
  elseif status == 202 then
    created = created + 1
  else
    failed = failed + 1
    if failed <= 3 then io.stderr:write("unexpected " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local created_total, failed_total = 0, 0
  for _, t in ipairs(threads) do
    created_total = created_total + (t:get("created") or 0)
    failed_total = failed_total + (t:get("failed") or 0)
  end
  local e = summary.errors
  io.write(string.format(
      "RESULT created=%d duration_us=%d sessions_per_s=%.1f requests=%d failed=%d errors=%d\n",
      created_total, summary.duration, created_total / (summary.duration / 1e6), summary.requests, failed_total,
      e.connect + e.read + e.write + e.timeout))
end
