#!/usr/bin/env bash
# The one benchmark command (docs/benchmarks.md):   bash bench/run.sh
#
# Builds the benchmark targets in Release in build-bench/, generates the synthetic province into
# bench/out/, runs every benchmark and prints one table of figures and ratios. Each benchmark is a
# bench_* function below that appends rows to bench/out/results.jsonl through `record`.
#
# Sizes (environment): BENCH_SEED (20260101), BENCH_HOUSEHOLDS (1000000), BENCH_TRANSITIONS (3000,
# single-commit SQLite transitions; the batched modes run 10x), BENCH_BPMN_INSTANCES (1000).
# BENCH_ONLY="sqlite bpmn" runs only those benchmarks (names as in the bench_* functions).
# BENCH_BASELINE=<commit> also builds that commit (build-bench-base/) and runs its engine (64
# submitters), HTTP actions and timer firing on copies of the same data in the same run: rows
# <name>.baseline, and this build's rows show the ratio to them.
# More sizes (engine, http, timers, import, delivery) and BENCH_QUICK=1: docs/benchmarks.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
BUILD="$ROOT/build-bench"
RESULTS="$OUT/results.jsonl"
# BENCH_QUICK=1: smaller defaults (docs/benchmarks.md, "Sizes"); explicit variables still win.
if [[ -n "${BENCH_QUICK:-}" ]]; then
  : "${BENCH_HOUSEHOLDS:=100000}" "${BENCH_ENGINE_SECONDS:=3}" "${BENCH_ENGINE_HOUSEHOLDS:=20000}"
  : "${BENCH_HTTP_SECONDS:=5}" "${BENCH_HTTP_CASES:=60000}" "${BENCH_TIMER_TASKS:=100000}"
  : "${BENCH_DELIVERY_MESSAGES:=5000}" "${BENCH_TRANSITIONS:=1000}" "${BENCH_BPMN_INSTANCES:=300}"
fi
SEED="${BENCH_SEED:-20260101}"
HOUSEHOLDS="${BENCH_HOUSEHOLDS:-1000000}"
TRANSITIONS="${BENCH_TRANSITIONS:-3000}"
BPMN_INSTANCES="${BENCH_BPMN_INSTANCES:-1000}"
ONLY="${BENCH_ONLY:-}"
BASELINE="${BENCH_BASELINE:-}"
BASE_BUILD="$ROOT/build-bench-base"

log() { echo "[bench] $*" >&2; }

# record NAME LABEL VALUE UNIT VS NOTE — one row of the final table (VALUE "null" = empty slot;
# VS is a space-separated list of row names to show ratios against, may be empty).
record() {
  node -e '
    const [name, label, value, unit, vs, note] = process.argv.slice(1);
    const v = value === "null" ? null : Number(value);
    console.log(JSON.stringify({ name, label, value: v, unit, vs: vs ? vs.split(" ") : [], note }));
  ' "$1" "$2" "$3" "$4" "${5:-}" "${6:-}" >>"$RESULTS"
}

# json_get FIELD — reads one JSON object from stdin, prints the field.
json_get() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

wanted() { [[ -z "$ONLY" || " $ONLY " == *" $1 "* ]]; }

machine_info() {
  local cpu disk_dev rota
  cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  disk_dev="$(df --output=source "$OUT" | tail -1)"
  rota="$(lsblk -dno ROTA "$disk_dev" 2>/dev/null || echo '?')"
  echo "machine : ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM"
  echo "disk    : $(df -h --output=source,fstype,size "$OUT" | tail -1 | xargs) (rotational=${rota// /}) for $OUT"
  echo "system  : $(uname -sr), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?'), node $(node --version)"
  echo "load    : $(cut -d' ' -f1-3 /proc/loadavg) (figures are only comparable on an idle machine)"
  echo "date    : $(date -Iseconds)  commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
}

build_bench() {
  log "building bench targets (Release, $BUILD)"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIXIAN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" --target bench_tools -j"$(nproc)" >/dev/null
}

# The baseline commit's sources (git archive) built beside this build, same options.
build_baseline() {
  [[ -n "$BASELINE" ]] || return 0
  log "building baseline $BASELINE ($BASE_BUILD)"
  rm -rf "$OUT/baseline-src" && mkdir -p "$OUT/baseline-src"
  git -C "$ROOT" archive "$BASELINE" | tar -x -C "$OUT/baseline-src"
  # Commits before the store's folders moved left timers_bench.cc including the old path.
  sed -i 's|"adapters/store/sqlite_db.h"|"adapters/store/sqlite/sqlite_db.h"|' "$OUT/baseline-src/bench/timers_bench.cc"
  cmake -S "$OUT/baseline-src" -B "$BASE_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIXIAN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BASE_BUILD" --target bench_tools -j"$(nproc)" >/dev/null
}

# with_base ROW — ROW.baseline when a baseline runs (for a `vs` list), else nothing.
with_base() { [[ -n "$BASELINE" ]] && echo "$1.baseline" || true; }

bench_generate() {
  log "generating province: seed $SEED, $HOUSEHOLDS households"
  local t0 t1 line
  t0=$(date +%s.%N)
  line="$("$BUILD/bench/gen_province" --seed "$SEED" --households "$HOUSEHOLDS" --out "$OUT")"
  t1=$(date +%s.%N)
  record generate.seconds "生成 $(echo "$line" | json_get villages) 村 $HOUSEHOLDS 户 (seed $SEED)" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')" s "" "orgs.csv + households.csv in bench/out"
}

bench_sqlite() {
  log "SQLite durable-write limit ($TRANSITIONS single-commit transitions)"
  settle_disk
  local line batch tps rows
  while read -r line; do
    batch="$(echo "$line" | json_get batch)"
    tps="$(echo "$line" | json_get transitions_per_s)"
    rows="$(echo "$line" | json_get rows)"
    if [[ "$rows" == engine && "$(echo "$line" | json_get spread)" == 64 ]]; then
      record "sqlite.engine_rows_spread.batch$batch" "SQLite, the same rows with a commit's households in 64 places (as the engine bench's), $batch per commit" \
        "$tps" transitions/s "sqlite.engine_rows.batch$batch" \
        "the ceiling's households are neighbours within a commit; CPU $(echo "$line" | json_get cpu_us_per_transition) us/transition"
    elif [[ "$rows" == engine && "$(echo "$line" | json_get vfs)" == wal_buffer ]]; then
      record "sqlite.engine_rows_wal_buffer.batch$batch" "SQLite, the same rows through the writer's WAL-buffering VFS, $batch per commit" \
        "$tps" transitions/s "sqlite.engine_rows.batch$batch" \
        "adapters/store/sqlite/wal_buffer_vfs.h; CPU $(echo "$line" | json_get cpu_us_per_transition) us/transition"
    elif [[ "$rows" == engine ]]; then
      record "sqlite.engine_rows.batch$batch" "SQLite, the rows of one engine action on dixian's schema, $batch per commit" \
        "$tps" transitions/s "$([[ $batch == 1 ]] || echo sqlite.engine_rows.batch1)" \
        "case + close task + new task + audit + outbox; all indexes, FKs; CPU $(echo "$line" | json_get cpu_us_per_transition) us/transition"
    elif [[ "$batch" == 1 ]]; then
      record sqlite.batch1 "SQLite WAL+FULL, 1 transition per commit" "$tps" transitions/s "" \
        "update case + audit row + outbox row"
    else
      record "sqlite.batch$batch" "SQLite WAL+FULL, $batch transitions per commit" "$tps" \
        transitions/s sqlite.batch1 "group-commit ceiling"
    fi
  done < <("$BUILD/bench/sqlite_limit" --db "$OUT/sqlite_limit.db" --transitions "$TRANSITIONS")
}

bench_bpmn() {
  log "bpmn-engine baseline ($BPMN_INSTANCES instances per mode)"
  (cd "$ROOT/bench/bpmn" && { [[ -d node_modules/bpmn-engine ]] || npm install --no-audit --no-fund >/dev/null; })
  local mem fsync
  mem="$(node "$ROOT/bench/bpmn/run.js" --instances "$BPMN_INSTANCES" --mode memory)"
  fsync="$(node "$ROOT/bench/bpmn/run.js" --instances "$BPMN_INSTANCES" --mode fsync --dir "$OUT/bpmn-state")"
  record bpmn.memory "bpmn-engine, in memory only" "$(echo "$mem" | json_get steps_per_s)" steps/s \
    "" "$(echo "$mem" | json_get instances_per_s) instances/s, 4 user tasks each"
  record bpmn.fsync "bpmn-engine, getState() fsync'd per step" "$(echo "$fsync" | json_get steps_per_s)" \
    steps/s "bpmn.memory sqlite.batch1" "$(echo "$fsync" | json_get instances_per_s) instances/s"
  record bpmn.memory.instances "bpmn-engine 4-step chain, in memory" "$(echo "$mem" | json_get instances_per_s)" \
    instances/s "" "one Node thread"
  record bpmn.fsync.instances "bpmn-engine 4-step chain, fsync'd state" "$(echo "$fsync" | json_get instances_per_s)" \
    instances/s "" "one Node thread"
}

# ---------------------------------------------------------------------------------------------
# Engine, HTTP, timers, import and delivery: bench/dixian_bench (in process, real SQLite file,
# WAL + synchronous=FULL) and the real server binary build-bench/dixian under wrk.
# ---------------------------------------------------------------------------------------------
BENCH="$BUILD/bench/dixian_bench"
ENGINE_SECONDS="${BENCH_ENGINE_SECONDS:-5}"
ENGINE_HOUSEHOLDS="${BENCH_ENGINE_HOUSEHOLDS:-40000}"
HTTP_SECONDS="${BENCH_HTTP_SECONDS:-10}"
HTTP_CASES="${BENCH_HTTP_CASES:-200000}"
HTTP_CONNECTIONS="${BENCH_HTTP_CONNECTIONS:-64}"
TIMER_TASKS="${BENCH_TIMER_TASKS:-1000000}"
TIMER_DUE="${BENCH_TIMER_DUE:-10000}"
IDLE_SECONDS="${BENCH_IDLE_SECONDS:-5}"
IMPORT_CHUNK="${BENCH_IMPORT_CHUNK:-10000}"
DELIVERY_MESSAGES="${BENCH_DELIVERY_MESSAGES:-20000}"
DELIVERY_CHANNELS="${BENCH_DELIVERY_CHANNELS:-10}"
SERVER_PID=""
RECEIVER_PID=""
# The admin token (32 characters at least) and the master key of every server the bench starts.
BENCH_ADMIN_TOKEN="bench-admin-token-0123456789abcdef"
BENCH_KEY_FILE="$OUT/bench.key"

# start_server DB [--binary PATH] [extra args...] — starts build-bench/dixian (or PATH) serve on 127.0.0.1 (ephemeral port),
# sets SERVER_PID and SERVER_URL once it logs "listening on".
start_server() {
  local db="$1" log="$OUT/server${SERVER_LOG_SUFFIX:-}.log" port="" i bin="$BUILD/dixian"
  shift
  if [[ "${1:-}" == --binary ]]; then bin="$2"; shift 2; fi
  # The fixed key dixian_bench seals its databases with (bench/bench_common.cc), never a real one.
  (umask 077 && printf 'bench %s\n' "$(printf 'b%.0s' $(seq 64))" >"$BENCH_KEY_FILE")
  DIXIAN_ADMIN_TOKEN="$BENCH_ADMIN_TOKEN" DIXIAN_KEY_FILE="$BENCH_KEY_FILE" \
    "$bin" serve --db "$db" --listen 127.0.0.1:0 "$@" \
    >"$log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 1 600); do
    port="$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | head -1 | cut -d: -f2 || true)"
    [[ -n "$port" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { log "server did not start"; cat "$log" >&2; return 1; }
  SERVER_URL="http://127.0.0.1:$port"
  for i in $(seq 1 100); do
    curl -sf "$SERVER_URL/healthz" >/dev/null && return 0
    sleep 0.1
  done
  log "server on $SERVER_URL does not answer /healthz"; cat "$log" >&2; return 1
}

# hist_quantile FILE METRIC LABELS Q — from a /metrics page, the upper bound (ms) of the histogram
# bucket holding quantile Q (LABELS: the labels before le, with their comma, or empty).
hist_quantile() {
  awk -v m="$2" -v lp="$3" -v q="$4" '
    index($1, m "_bucket{" lp "le=") == 1 {
      match($1, /le="[^"]*"/); les[++n] = substr($1, RSTART + 4, RLENGTH - 5); cnt[n] = $2 }
    END {
      if (n == 0 || cnt[n] == 0) { print "?"; exit }
      for (i = 1; i <= n; i++) if (cnt[i] >= q * cnt[n]) {
        if (les[i] == "+Inf") print "> " les[i - 1] * 1000 " ms"; else print "<= " les[i] * 1000 " ms"
        exit } }' "$1"
}

# hist_over FILE METRIC LABELS LE — "N of M": requests of a /metrics histogram above bucket LE
# (seconds, as written in the le label). Stalls of the whole server show here as multiples of the
# connection count; wrk's percentiles smear them out (coordinated-omission correction).
hist_over() {
  awk -v m="$2" -v lp="$3" -v le="$4" '
    index($1, m "_bucket{" lp "le=\"" le "\"}") == 1 { under = $2 }
    index($1, m "_bucket{" lp "le=\"+Inf\"}") == 1 { all = $2 }
    END { if (all == "") print "?"; else printf "%d of %d", all - under, all }' "$1"
}

stop_server() {
  if [[ -n "$SERVER_PID" ]]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}

stop_receiver() {
  if [[ -n "$RECEIVER_PID" ]]; then kill "$RECEIVER_PID" 2>/dev/null || true; wait "$RECEIVER_PID" 2>/dev/null || true; fi
  RECEIVER_PID=""
}
trap 'stop_server; stop_receiver; stop_pg' EXIT

# Writes back what earlier steps left dirty in the page cache, so that the kernel's writeback of
# a seed or a copied database (30 s after it was written) does not land on the fsyncs of the
# next measurement: every timed engine, SQLite and HTTP run starts from a clean cache.
settle_disk() { sync; }

# cpu_ticks PID — utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Engine: durable transitions with 1, 8 and 64 concurrent submitters, each running the
# risk_elimination chain (create + submit + 3 approvals) closed-loop on its own households.
# The submitters are driven as the server drives the engine: state machines on two threads (the
# server's io threads), each starting its next write when the last one's answer arrives
# (--drivers 2). engine.transitions.64.threads runs them as 64 OS threads blocked on every write
# instead (the harness before phase 9; a baseline build older than that ignores --drivers and runs
# this way too).
engine_note() {
  echo "avg group commit $(echo "$1" | json_get avg_batch | xargs printf '%.1f') jobs; writer CPU $(echo "$1" | json_get writer_cpu_us_per_write | sed 's/undefined/?/;s/\..*//') us/write, all threads $(echo "$1" | json_get cpu_us_per_write | sed 's/undefined/?/;s/\..*//') us/write; $(echo "$1" | json_get failures) failures"
}

bench_engine() {
  local s line bline
  for s in 1 8 64; do
    log "engine transitions, $s submitters, ${ENGINE_SECONDS}s"
    settle_disk
    line="$("$BENCH" transitions --db "$OUT/engine.db" --submitters "$s" --seconds "$ENGINE_SECONDS" \
      --households "$ENGINE_HOUSEHOLDS" --drivers 2)"
    echo "$line" >>"$OUT/engine.jsonl"
    record "engine.transitions.$s" "dixian engine, $s submitter(s), durable writes" \
      "$(echo "$line" | json_get transitions_per_s)" transitions/s \
      "sqlite.engine_rows.batch1 sqlite.engine_rows.batch64 sqlite.batch64 $([[ $s == 64 ]] && echo sqlite.engine_rows_wal_buffer.batch64 sqlite.engine_rows_spread.batch64) $([[ $s == 64 ]] && with_base engine.transitions.64)" \
      "$(engine_note "$line")"
    if [[ "$s" == 64 ]]; then
      log "engine transitions, 64 submitters as 64 blocked threads"
      settle_disk
      bline="$("$BENCH" transitions --db "$OUT/engine.db" --submitters 64 --seconds "$ENGINE_SECONDS" \
        --households "$ENGINE_HOUSEHOLDS")"
      record engine.transitions.64.threads "dixian engine, 64 submitters as 64 OS threads blocked on each write" \
        "$(echo "$bline" | json_get transitions_per_s)" transitions/s "sqlite.engine_rows.batch64 $(with_base engine.transitions.64)" \
        "$(engine_note "$bline")"
    fi
    if [[ "$s" == 64 && -n "$BASELINE" ]]; then
      log "engine transitions, 64 submitters, baseline $BASELINE"
      settle_disk
      bline="$("$BASE_BUILD/bench/dixian_bench" transitions --db "$OUT/engine-base.db" --submitters 64 \
        --seconds "$ENGINE_SECONDS" --households "$ENGINE_HOUSEHOLDS" --drivers 2)"
      record engine.transitions.64.baseline "baseline $BASELINE: engine, 64 submitters" \
        "$(echo "$bline" | json_get transitions_per_s)" transitions/s "sqlite.engine_rows.batch64" \
        "$(engine_note "$bline")"
    fi
    if [[ "$s" == 1 || "$s" == 64 ]]; then
      record "engine.chain.$s" "dixian 4-step chain, $s submitter(s)" "$(echo "$line" | json_get instances_per_s)" \
        instances/s "bpmn.fsync.instances bpmn.memory.instances" "village submit, township, county, province file; durable"
    fi
  done
}

# HTTP: wrk against the real server (loopback). POST actions are durable village submits on
# distinct seeded cases; the task notices go through the delivery worker to a local receiver.
bench_http() {
  log "HTTP: seeding $HTTP_CASES open cases"
  "$BENCH" receiver >"$OUT/receiver.out" &
  RECEIVER_PID=$!
  sleep 0.5
  local rport out rps p50 p99 non2xx threads
  rport="$(json_get port <"$OUT/receiver.out")"
  "$BENCH" http-seed --db "$OUT/http.db" --cases "$HTTP_CASES" --out "$OUT" \
    --channel "http://127.0.0.1:$rport/hook" >/dev/null
  if [[ -n "$BASELINE" ]]; then
    cp "$OUT/http.db" "$OUT/http-base.db"
    log "HTTP: POST actions on the baseline $BASELINE server, ${HTTP_SECONDS}s"
    start_server "$OUT/http-base.db" --binary "$BASE_BUILD/dixian"
    settle_disk
    wrk -t2 -c"$HTTP_CONNECTIONS" -d"${HTTP_SECONDS}s" --latency -s "$ROOT/bench/http_actions.lua" "$SERVER_URL" \
      -- "$OUT/http_cases.txt" "$OUT/http_tokens.txt" 2 >"$OUT/wrk_actions_base.txt"
    curl -sf -H "Authorization: Bearer $BENCH_ADMIN_TOKEN" "$SERVER_URL/metrics" \
      >"$OUT/metrics_actions_base.txt" || : >"$OUT/metrics_actions_base.txt"
    stop_server
    rm -f "$OUT"/http-base.db*
  fi
  start_server "$OUT/http.db"
  log "HTTP: GET /api/v1/tasks, POST actions, $HTTP_CONNECTIONS connections, ${HTTP_SECONDS}s each ($SERVER_URL)"
  wrk_row() {  # NAME LABEL UNIT-NOTE FILE
    rps="$(sed -n 's/^Requests\/sec:[[:space:]]*//p' "$4")"
    p50="$(awk '$1=="50%"{print $2}' "$4")"
    p99="$(awk '$1=="99%"{print $2}' "$4")"
    non2xx="$(sed -n 's/.*Non-2xx or 3xx responses:[[:space:]]*//p' "$4")"
    record "$1" "$2" "$rps" requests/s "${5:-}" "p50 $p50, p99 $p99, non-2xx ${non2xx:-0}; $3"
  }
  settle_disk
  wrk -t2 -c"$HTTP_CONNECTIONS" -d"${HTTP_SECONDS}s" --latency -s "$ROOT/bench/http_tasks.lua" "$SERVER_URL" \
    -- "$OUT/http_tokens.txt" 2 >"$OUT/wrk_tasks.txt"
  wrk_row http.tasks "HTTP GET /api/v1/tasks (inbox of 20), c=$HTTP_CONNECTIONS" "loopback, wrk -t2" "$OUT/wrk_tasks.txt"
  settle_disk
  wrk -t2 -c"$HTTP_CONNECTIONS" -d"${HTTP_SECONDS}s" --latency -s "$ROOT/bench/http_actions.lua" "$SERVER_URL" \
    -- "$OUT/http_cases.txt" "$OUT/http_tokens.txt" 2 >"$OUT/wrk_actions.txt"
  threads="$(awk '/^Threads:/{print $2}' "/proc/$SERVER_PID/status")"
  # The server's own view of the same requests: its latency (header read to reply) and the part
  # spent waiting for the engine's answer (queue, transaction, group commit, WAL sync).
  local m="$OUT/metrics_actions.txt" inside
  curl -sf -H "Authorization: Bearer $BENCH_ADMIN_TOKEN" "$SERVER_URL/metrics" >"$m" || : >"$m"
  inside="server p99 $(hist_quantile "$m" dixian_http_request_duration_seconds 'route="cases.actions",' 0.99)"
  inside+=", engine answer p50 $(hist_quantile "$m" dixian_write_wait_seconds '' 0.5)"
  inside+=" p99 $(hist_quantile "$m" dixian_write_wait_seconds '' 0.99)"
  inside+=", server > 100 ms: $(hist_over "$m" dixian_http_request_duration_seconds 'route="cases.actions",' 0.1)"
  wrk_row http.actions "HTTP POST actions (durable), c=$HTTP_CONNECTIONS" "distinct cases, notices delivered; server threads $threads; $inside" \
    "$OUT/wrk_actions.txt" "engine.transitions.64 sqlite.engine_rows.batch64 $(with_base http.actions)"
  if [[ -n "$BASELINE" ]]; then
    wrk_row http.actions.baseline "baseline $BASELINE: HTTP POST actions, c=$HTTP_CONNECTIONS" \
      "same data, same run; server p99 $(hist_quantile "$OUT/metrics_actions_base.txt" dixian_http_request_duration_seconds 'route="cases.actions",' 0.99), server > 100 ms: $(hist_over "$OUT/metrics_actions_base.txt" dixian_http_request_duration_seconds 'route="cases.actions",' 0.1)" \
      "$OUT/wrk_actions_base.txt" "sqlite.engine_rows.batch64"
  fi
  stop_server
  stop_receiver
}

# Timers: N open cases/tasks, K due at one instant; fire them (ManualClock + RunDue); then the
# real server on that database (system clock, nothing due): idle CPU and peak RSS; and the
# scheduler's firing delay with the system clock.
bench_timers() {
  log "timers: seeding the province, $HOUSEHOLDS households, $TIMER_TASKS open tasks ($TIMER_DUE due at one instant)"
  local seed fire at delay t0 t1 c0 c1 hz hwm
  seed="$("$BENCH" timers-seed --db "$OUT/timers.db" --households "$HOUSEHOLDS" --open "$TIMER_TASKS" \
    --due "$TIMER_DUE" --seed "$SEED")"
  at="$(echo "$seed" | json_get due_at)"
  local open_cases
  open_cases="$(echo "$seed" | json_get open_cases)"
  record timers.seed "seed the province: $HOUSEHOLDS households, $TIMER_TASKS open tasks" \
    "$(echo "$seed" | json_get rows_per_s)" rows/s "" \
    "$(echo "$seed" | json_get seconds | xargs printf '%.1f') s; $(echo "$seed" | json_get monitored) monitored, $open_cases open cases, all $(echo "$seed" | json_get states) states, due over a year"
  if [[ -n "$BASELINE" ]]; then
    log "timers: firing with the baseline $BASELINE on a copy"
    cp "$OUT/timers.db" "$OUT/timers-base.db"
    fire="$("$BASE_BUILD/bench/dixian_bench" timers-fire --db "$OUT/timers-base.db" --at "$at")"
    record timers.fire.baseline "baseline $BASELINE: fire $(echo "$fire" | json_get fired) due timers of $TIMER_TASKS open tasks" \
      "$(echo "$fire" | json_get seconds)" s "" \
      "$(echo "$fire" | json_get timers_per_s | xargs printf '%.0f') timers/s; same data, same run"
    rm -f "$OUT"/timers-base.db*
  fi
  fire="$("$BENCH" timers-fire --db "$OUT/timers.db" --at "$at")"
  record timers.fire "fire $(echo "$fire" | json_get fired) due timers of $TIMER_TASKS open tasks" \
    "$(echo "$fire" | json_get seconds)" s "$(with_base timers.fire)" \
    "$(echo "$fire" | json_get timers_per_s | xargs printf '%.0f') timers/s, $(echo "$fire" | json_get outbox_rows) outbox rows, CPU $(echo "$fire" | json_get cpu_seconds | xargs printf '%.2f') s (all threads); plan: $(echo "$fire" | json_get plan)"
  log "timers: idle server on $open_cases open cases, ${IDLE_SECONDS}s"
  start_server "$OUT/timers.db"
  sleep 1
  hz="$(getconf CLK_TCK)"
  c0="$(cpu_ticks "$SERVER_PID")"; t0=$(date +%s.%N)
  sleep "$IDLE_SECONDS"
  c1="$(cpu_ticks "$SERVER_PID")"; t1=$(date +%s.%N)
  record timers.idle_cpu "server idle CPU, $TIMER_TASKS open tasks, nothing due" \
    "$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN{printf "%.2f", 100*(b-a)/hz/(t1-t0)}')" \
    "% of a core" "" "utime+stime over ${IDLE_SECONDS}s (/proc/PID/stat, ${hz} ticks/s)"
  local auth="Authorization: Bearer $BENCH_ADMIN_TOKEN" secs
  curl -sf -H "$auth" "$SERVER_URL/api/v1/tasks" >/dev/null
  curl -sf "$SERVER_URL/metrics" -H "Authorization: Bearer $BENCH_ADMIN_TOKEN" >/dev/null
  hwm="$(awk '/^VmHWM:/{print $2}' "/proc/$SERVER_PID/status")"
  record server.rss "server peak RSS (VmHWM), $open_cases open cases" "$(awk -v k="$hwm" 'BEGIN{printf "%.1f", k/1024}')" MB "" \
    "after start, an inbox read (GET /api/v1/tasks, admin) and /metrics"
  for report in overdue monitoring; do
    secs="$(curl -sf -o /dev/null -w '%{time_total}' -H "$auth" "$SERVER_URL/api/v1/reports/$report?org=520000000000")"
    record "report.$report" "GET /api/v1/reports/$report, province, $open_cases open cases" "$secs" s "" "one request, curl time_total"
  done
  hwm="$(awk '/^VmHWM:/{print $2}' "/proc/$SERVER_PID/status")"
  record server.rss_reports "server peak RSS after both province reports" "$(awk -v k="$hwm" 'BEGIN{printf "%.1f", k/1024}')" MB "" \
    "both reports aggregate in SQL; only the oldest 500 overdue tasks are loaded"
  stop_server
  delay="$("$BENCH" timers-delay --db "$OUT/delay.db" --rounds 3 --ahead 2)"
  record timers.delay "timer firing delay, system clock" "$(echo "$delay" | json_get max_ms)" ms "" \
    "max of 3 (avg $(echo "$delay" | json_get avg_ms | xargs printf '%.0f') ms): due instant -> fired timer committed"
}

# Reports at province scale: the province with report data (admissions over a year, measures,
# monthly visits, movements, every 10th open task overdue), then each report over the whole
# province through the real server (system clock), as JSON, and the overdue report as .xlsx.
# Runnable alone: BENCH_ONLY=reports bash bench/run.sh (BENCH_QUICK=1: 100 k households). The
# seeded database is kept and reused for 12 hours while sizes and seed are the same (BENCH_RESEED=1
# seeds again).
bench_reports() {
  local db="$OUT/reports.db" params="$HOUSEHOLDS $TIMER_TASKS $SEED" seed
  # Reused only within 12 hours: its first timers fall due a day after seeding.
  if [[ -n "${BENCH_RESEED:-}" || ! -f "$db" || "$(cat "$db.params" 2>/dev/null)" != "$params" \
        || -z "$(find "$db.params" -mmin -720 2>/dev/null)" ]]; then
    log "reports: seeding the province with report data, $HOUSEHOLDS households, $TIMER_TASKS open tasks"
    rm -f "$db" "$db-wal" "$db-shm" "$db.params" "$db.seed.json"
    "$BENCH" timers-seed --db "$db" --households "$HOUSEHOLDS" --open "$TIMER_TASKS" --due "$TIMER_DUE" \
      --seed "$SEED" --report-data 1 >"$db.seed.json"
    echo "$params" >"$db.params"
  fi
  seed="$(cat "$db.seed.json")"
  local open_cases monitored overdue
  open_cases="$(echo "$seed" | json_get open_cases)"
  monitored="$(echo "$seed" | json_get monitored)"
  overdue="$(echo "$seed" | json_get overdue)"
  record reports.seed "seed the province with report data ($HOUSEHOLDS households)" \
    "$(echo "$seed" | json_get seconds | xargs printf '%.1f')" s "" \
    "$monitored monitored, $open_cases open cases, $TIMER_TASKS open tasks ($overdue overdue), $(echo "$seed" | json_get measures) measures, $(echo "$seed" | json_get visits) visits, $(echo "$seed" | json_get movements) movements"
  start_server "$db"
  local auth="Authorization: Bearer $BENCH_ADMIN_TOKEN" org=520000000000
  local month year_ago today
  month="$(TZ=Asia/Shanghai date +%Y-%m)"
  today="$(TZ=Asia/Shanghai date +%Y-%m-%d)"
  year_ago="$(TZ=Asia/Shanghai date -d '1 year ago' +%Y-%m-%d)"
  curl -sf -H "$auth" "$SERVER_URL/api/v1/tasks" >/dev/null  # the server is up and reading
  # report_row NAME PATH LABEL — three requests in a row; the figure is the first (the note has
  # the other two, the size and the load at the time).
  report_row() {
    local name="$1" path="$2" label="$3" t1 t2 t3 size
    t1="$(curl -sf -o "$OUT/report.out" -w '%{time_total}' -H "$auth" "$SERVER_URL$path")"
    size="$(stat -c %s "$OUT/report.out")"
    t2="$(curl -sf -o /dev/null -w '%{time_total}' -H "$auth" "$SERVER_URL$path")"
    t3="$(curl -sf -o /dev/null -w '%{time_total}' -H "$auth" "$SERVER_URL$path")"
    record "$name" "$label" "$t1" s "" \
      "GET $path; then $t2 s, $t3 s; $size bytes; load $(cut -d' ' -f1 /proc/loadavg)"
  }
  report_row report.overdue "/api/v1/reports/overdue?org=$org" "overdue report, province, $TIMER_TASKS open tasks"
  report_row report.overdue.xlsx "/api/v1/reports/overdue?org=$org&format=xlsx" "overdue report as .xlsx, province"
  report_row report.timeliness "/api/v1/reports/timeliness?org=$org&month=$month" "timeliness per city, province, $monitored objects"
  report_row report.monitoring "/api/v1/reports/monitoring?org=$org" "monitoring (type x status, measures per kind), province"
  report_row report.movements "/api/v1/reports/movements?org=$org&from=$year_ago&to=$today" "movements over a year, province"
  report_row report.ledger "/api/v1/reports/ledger?org=$org" "ledger, first page, province, $monitored objects"
  report_row report.ledger.overdue "/api/v1/reports/ledger?org=$org&overdue=true" "ledger, first page, objects with overdue tasks"
  report_row report.weekly "/api/v1/reports/weekly?org=$org" "weekly progress report (all of the above), province"
  stop_server
}

# Import: households.csv through Engine::ImportHouseholds in chunks (all-or-nothing each).
bench_import() {
  log "import: $HOUSEHOLDS households in chunks of $IMPORT_CHUNK"
  local line
  line="$("$BENCH" import --db "$OUT/import.db" --orgs "$OUT/orgs.csv" --households "$OUT/households.csv" \
    --chunk "$IMPORT_CHUNK" --inflight 4)"
  record import.households "household CSV import ($(echo "$line" | json_get households) rows)" \
    "$(echo "$line" | json_get households_per_s)" households/s "" \
    "chunks of $IMPORT_CHUNK, 4 in flight; $(echo "$line" | json_get failed_chunks) failed; orgs $(echo "$line" | json_get org_seconds | xargs printf '%.1f') s"
}

# Delivery: committed outbox rows -> loopback webhook receiver, no rate limit.
bench_delivery() {
  log "delivery: $DELIVERY_MESSAGES messages over $DELIVERY_CHANNELS webhook channels"
  local line
  line="$("$BENCH" delivery --db "$OUT/delivery.db" --messages "$DELIVERY_MESSAGES" --channels "$DELIVERY_CHANNELS")"
  record delivery.messages "outbox -> loopback webhook ($DELIVERY_CHANNELS channels)" \
    "$(echo "$line" | json_get messages_per_s)" messages/s "" \
    "$(echo "$line" | json_get delivered) delivered, $(echo "$line" | json_get requests) requests; worker threads $(echo "$line" | json_get worker_threads)"
  record "delivery.threads_$DELIVERY_CHANNELS" "delivery worker threads with $DELIVERY_CHANNELS channels (one io_context)" \
    "$(echo "$line" | json_get worker_threads)" threads "" \
    "$(echo "$line" | json_get messages_per_s | xargs printf '%.0f') messages/s; process $(echo "$line" | json_get process_threads) threads incl. 16 receiver threads"
  # Threads must not grow with channels (issue 18): the same worker, 2,000 channels.
  line="$("$BENCH" delivery --db "$OUT/delivery-2000.db" --messages "$DELIVERY_MESSAGES" --channels 2000)"
  record delivery.threads_2000 "delivery worker threads with 2,000 channels (one io_context)" \
    "$(echo "$line" | json_get worker_threads)" threads "delivery.threads_$DELIVERY_CHANNELS" \
    "$(echo "$line" | json_get messages_per_s | xargs printf '%.0f') messages/s; process $(echo "$line" | json_get process_threads) threads incl. 16 receiver threads"
}

# PostgreSQL (issue 16): durable transitions, HTTP actions and timer firing with one and two nodes
# on a throwaway cluster (scripts/pg-test-cluster.sh --durable: fsync on, as a real server),
# each beside the same run on SQLite with the same sizes. Two nodes: two stores and engines on one
# database (transitions, timers: in one process, each its own connections and writer) or two
# `dixian serve` processes (HTTP: one wrk per node on half of the cases). BENCH_ONLY=pg, ~3 min.
PG_STATE=""
stop_pg() {
  if [[ -n "$PG_STATE" ]]; then bash "$ROOT/scripts/pg-test-cluster.sh" stop "$PG_STATE" || true; fi
  PG_STATE=""
}
bench_pg() {
  local seconds="${BENCH_PG_SECONDS:-5}" households="${BENCH_PG_HOUSEHOLDS:-8000}"
  local cases="${BENCH_PG_HTTP_CASES:-12000}" tasks="${BENCH_PG_TIMER_TASKS:-10000}" due="${BENCH_PG_TIMER_DUE:-1000}"
  local uri n line fire at rport sqlite_vs
  PG_STATE="$OUT/pg-cluster.uri"
  log "PostgreSQL: starting a throwaway cluster (durable)"
  bash "$ROOT/scripts/pg-test-cluster.sh" start "$PG_STATE" --durable >&2
  uri="$(cat "$PG_STATE")"
  pg_db() { PGOPTIONS="-c client_min_messages=warning" psql -q "$uri" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null && echo "${uri%/*}/$1"; }

  log "PostgreSQL: engine transitions, 64 submitters, ${seconds}s (SQLite, then 1 and 2 nodes)"
  line="$("$BENCH" transitions --db "$OUT/pg-sqlite.db" --submitters 64 --seconds "$seconds" --households "$households")"
  record pg.sqlite.transitions "SQLite, engine, 64 submitters (same sizes as the pg rows)" \
    "$(echo "$line" | json_get transitions_per_s)" transitions/s "" \
    "avg group commit $(echo "$line" | json_get avg_batch | xargs printf '%.1f') jobs"
  for n in 1 2; do
    line="$("$BENCH" transitions --db "$(pg_db "engine$n")" --submitters 64 --seconds "$seconds" \
      --households "$households" --nodes "$n")"
    record "pg.transitions.$n" "PostgreSQL, engine, 64 submitters, $n node(s)" \
      "$(echo "$line" | json_get transitions_per_s)" transitions/s "pg.sqlite.transitions" \
      "avg group commit $(echo "$line" | json_get avg_batch | xargs printf '%.1f') jobs; $(echo "$line" | json_get failures) failures"
  done

  log "PostgreSQL: HTTP POST actions, $cases cases, c=$HTTP_CONNECTIONS, ${seconds}s (SQLite, then 1 and 2 nodes)"
  "$BENCH" receiver >"$OUT/receiver.out" &
  RECEIVER_PID=$!
  sleep 0.5
  rport="$(json_get port <"$OUT/receiver.out")"
  mkdir -p "$OUT/pg-http"
  pg_wrk() {  # NAME LABEL VS FILE... (one wrk output per node: requests/s summed, latency of the first)
    local name="$1" label="$2" vs="$3" rps=0 f non2xx=0 p50 p99
    shift 3
    for f in "$@"; do
      rps="$(awk -v a="$rps" -v b="$(sed -n 's/^Requests\/sec:[[:space:]]*//p' "$f")" 'BEGIN{printf "%.2f", a+b}')"
      non2xx=$((non2xx + $(sed -n 's/.*Non-2xx or 3xx responses:[[:space:]]*//p' "$f" | grep . || echo 0)))
    done
    p50="$(awk '$1=="50%"{print $2}' "$1")"
    p99="$(awk '$1=="99%"{print $2}' "$1")"
    record "$name" "$label" "$rps" requests/s "$vs" "p50 $p50, p99 $p99 (node 1), non-2xx $non2xx; loopback, wrk -t2"
  }
  for n in sqlite 1 2; do
    local db="$OUT/pg-http.db"
    if [[ "$n" == sqlite ]]; then rm -f "$db"*; else db="$(pg_db "http$n")"; fi
    "$BENCH" http-seed --db "$db" --cases "$cases" --out "$OUT/pg-http" --channel "http://127.0.0.1:$rport/hook" >/dev/null
    awk 'NR % 2 == 1' "$OUT/pg-http/http_cases.txt" >"$OUT/pg-http/cases.1"
    awk 'NR % 2 == 0' "$OUT/pg-http/http_cases.txt" >"$OUT/pg-http/cases.2"
    start_server "$db"
    if [[ "$n" == 2 ]]; then
      local first_pid="$SERVER_PID" first_url="$SERVER_URL"
      SERVER_LOG_SUFFIX=-node2 start_server "$db"
      wrk -t2 -c"$((HTTP_CONNECTIONS / 2))" -d"${seconds}s" --latency -s "$ROOT/bench/http_actions.lua" "$first_url" \
        -- "$OUT/pg-http/cases.1" "$OUT/pg-http/http_tokens.txt" 2 >"$OUT/pg-http/wrk.1" &
      local wrk_pid=$!
      wrk -t2 -c"$((HTTP_CONNECTIONS / 2))" -d"${seconds}s" --latency -s "$ROOT/bench/http_actions.lua" "$SERVER_URL" \
        -- "$OUT/pg-http/cases.2" "$OUT/pg-http/http_tokens.txt" 2 >"$OUT/pg-http/wrk.2"
      wait "$wrk_pid"
      stop_server
      SERVER_PID="$first_pid"
      pg_wrk pg.http.actions.2 "PostgreSQL, HTTP POST actions (durable), 2 nodes, c=$HTTP_CONNECTIONS in all" \
        "pg.sqlite.http.actions" "$OUT/pg-http/wrk.1" "$OUT/pg-http/wrk.2"
    else
      wrk -t2 -c"$HTTP_CONNECTIONS" -d"${seconds}s" --latency -s "$ROOT/bench/http_actions.lua" "$SERVER_URL" \
        -- "$OUT/pg-http/http_cases.txt" "$OUT/pg-http/http_tokens.txt" 2 >"$OUT/pg-http/wrk.1"
      if [[ "$n" == sqlite ]]; then
        pg_wrk pg.sqlite.http.actions "SQLite, HTTP POST actions (durable), c=$HTTP_CONNECTIONS (same sizes)" "" "$OUT/pg-http/wrk.1"
      else
        pg_wrk pg.http.actions.1 "PostgreSQL, HTTP POST actions (durable), 1 node, c=$HTTP_CONNECTIONS" \
          "pg.sqlite.http.actions" "$OUT/pg-http/wrk.1"
      fi
    fi
    stop_server
  done
  stop_receiver

  log "PostgreSQL: firing $due due timers of $tasks open tasks (SQLite, then 1 and 2 nodes)"
  for n in sqlite 1 2; do
    local db="$OUT/pg-timers.db"
    if [[ "$n" == sqlite ]]; then rm -f "$db"*; else db="$(pg_db "timers$n")"; fi
    at="$("$BENCH" timers-seed --db "$db" --households "$households" --open "$tasks" --due "$due" --seed "$SEED" | json_get due_at)"
    fire="$("$BENCH" timers-fire --db "$db" --at "$at" --nodes "$([[ $n == sqlite ]] && echo 1 || echo "$n")")"
    if [[ "$n" == sqlite ]]; then
      record pg.sqlite.timers "SQLite, fire $(echo "$fire" | json_get fired) due timers of $tasks open tasks" \
        "$(echo "$fire" | json_get timers_per_s)" timers/s "" "$(echo "$fire" | json_get seconds | xargs printf '%.2f') s"
    else
      record "pg.timers.$n" "PostgreSQL, fire $(echo "$fire" | json_get fired) due timers, $n node(s)" \
        "$(echo "$fire" | json_get timers_per_s)" timers/s "pg.sqlite.timers" \
        "$(echo "$fire" | json_get seconds | xargs printf '%.2f') s; $(echo "$fire" | json_get outbox_rows) outbox rows"
    fi
  done
  stop_pg
}

main() {
  mkdir -p "$OUT"
  : >"$RESULTS"
  : >"$OUT/engine.jsonl"
  machine_info | tee "$OUT/machine.txt"
  build_bench
  build_baseline
  local b
  for b in generate sqlite bpmn engine http timers reports import delivery pg; do
    if wanted "$b"; then "bench_$b"; fi
  done
  echo
  node "$ROOT/bench/report.mjs" "$RESULTS" | tee "$OUT/table.txt"
}

main "$@"
