-- wrk script: tools/call of the echo tool on one MCP session, a fresh JSON-RPC id per request.
-- Environment: MCP_SESSION (the Mcp-Session-Id; empty for the bare endpoint; several separated by
-- commas: requests take them in turn, so one run spreads over sessions homed on different nodes), MCP_VERSION
-- (MCP-Protocol-Version header, default 2025-11-25), MCP_ID_BASE (a number different for every wrk
-- run on the same session: a server must refuse a JSON-RPC id the session already used). Every response body must contain the echoed
-- text: others are counted as "bad" (a JSON-RPC error answered with HTTP 200 would otherwise look
-- like a success). Prints one RESULT line with the rate and latency percentiles in microseconds.
-- MCP_STATELESS=1: the 2026-07-28 wire instead (no session; the _meta envelope and the Mcp-Method /
-- Mcp-Name headers on every request).
local sessions = {}
for s in string.gmatch(os.getenv("MCP_SESSION") or "", "[^,]+") do table.insert(sessions, s) end
local stateless = os.getenv("MCP_STATELESS") == "1"
local version = os.getenv("MCP_VERSION") or "2025-11-25"
local id_base = tonumber(os.getenv("MCP_ID_BASE") or "0")
local threads = {}

function setup(thread)
  -- ids: thread * 10^13 + run * 10^7 + counter, exact in Lua's doubles
  thread:set("base", #threads * 10000000000000 + id_base * 10000000)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  bad = 0
  hdrs = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = version,
  }
  if stateless then
    hdrs["MCP-Protocol-Version"] = "2026-07-28"
    hdrs["Mcp-Method"] = "tools/call"
    hdrs["Mcp-Name"] = "echo"
  end
end

function request()
  counter = counter + 1
  local meta = ""
  if stateless then
    meta = ',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'
  end
  local body = '{"jsonrpc":"2.0","id":' .. string.format("%.0f", base + counter) ..
      ',"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello bench"}' .. meta .. '}}'
  if #sessions > 0 then hdrs["Mcp-Session-Id"] = sessions[counter % #sessions + 1] end
  return wrk.format("POST", nil, hdrs, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"text":"hello bench"', 1, true) then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("bad response " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
      "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d p999_us=%d non2xx=%d errors=%d bad=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
      e.status, e.connect + e.read + e.write + e.timeout, bad_total))
end
