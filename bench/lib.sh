# Shared by bench/cpu and bench/ab (sourced, not run): CPU and context switches of processes from /proc,
# one wrk window of tools/call, medians, a fresh session. The caller sets CONNS and SECS.
TICK=$(getconf CLK_TCK)
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
# Context switches (voluntary + involuntary) of every thread of the given processes.
ctx_switches() { local p; for p in "$@"; do cat /proc/"$p"/task/*/status 2>/dev/null; done \
  | awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n + 0 }'; }
ID_BASE=0
# One wrk window: prints "rps cpu_us_per_request requests bad"
window() { # url session stateless pids...
  local url="$1" session="$2" stateless="$3"; shift 3
  local before after cs_before cs_after out req rps bad
  ID_BASE=$((ID_BASE + 1))
  before=$(cpu_ticks "$@"); cs_before=$(ctx_switches "$@")
  out=$(MCP_SESSION="$session" MCP_STATELESS="$stateless" MCP_ID_BASE="$ID_BASE" \
    wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s -s bench/wrk/tools-call.lua "$url" 2>/dev/null | grep '^RESULT')
  after=$(cpu_ticks "$@"); cs_after=$(ctx_switches "$@")
  req=$(sed -E 's/.* requests=([0-9]+).*/\1/' <<<"$out")
  rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$out")
  bad=$(sed -E 's/.* non2xx=([0-9]+) errors=([0-9]+) bad=([0-9]+).*/\1+\2+\3/' <<<"$out")
  awk -v r="$rps" -v t=$((after - before)) -v n="$req" -v k="$TICK" -v b="$bad" -v c=$((cs_after - cs_before)) \
    'BEGIN { printf "%.0f %.1f %d %s %.2f\n", r, (n > 0 ? t * 1e6 / k / n : 0), n, b, (n > 0 ? c / n : 0) }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

session_of() { # url -> Mcp-Session-Id of a fresh 2025 session
  local url="$1" sid
  sid=$(curl -s -D - -o /dev/null -X POST "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' \
    | tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
  curl -s -o /dev/null -X POST "$url" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo "$sid"
}

