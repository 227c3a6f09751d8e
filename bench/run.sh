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
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
BUILD="$ROOT/build-bench"
RESULTS="$OUT/results.jsonl"
SEED="${BENCH_SEED:-20260101}"
HOUSEHOLDS="${BENCH_HOUSEHOLDS:-1000000}"
TRANSITIONS="${BENCH_TRANSITIONS:-3000}"
BPMN_INSTANCES="${BENCH_BPMN_INSTANCES:-1000}"
ONLY="${BENCH_ONLY:-}"

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
  local line batch tps
  while read -r line; do
    batch="$(echo "$line" | json_get batch)"
    tps="$(echo "$line" | json_get transitions_per_s)"
    if [[ "$batch" == 1 ]]; then
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
}

# ---------------------------------------------------------------------------------------------
# Slots for the lead: each must record its rows (with "vs" naming the baselines above) or leave
# the empty row. See docs/benchmarks.md for what each one measures.
# ---------------------------------------------------------------------------------------------

# SLOT engine: durable engine transitions through the real store (group commit), in process,
# the same 4-step chain as bench/bpmn. Row: engine.transitions (transitions/s),
# vs "sqlite.batch1 sqlite.batch64 bpmn.fsync".
bench_engine() {
  record engine.transitions "dixian engine, durable transitions" null transitions/s \
    "sqlite.batch1 sqlite.batch64 bpmn.fsync" "slot: not written yet"
}

# SLOT http: wrk against `build/dixian serve --db $OUT/http.db --listen 127.0.0.1:PORT`
# (loopback only, bounded duration), POST /api/v1/cases/{id}/actions with a Lua script.
# Rows: http.actions (requests/s), http.p99 (ms).
bench_http() {
  record http.actions "HTTP task actions via wrk (loopback)" null requests/s \
    "engine.transitions" "slot: not written yet"
}

# SLOT timers: due-task scanning with N open tasks; advance the fake clock across deadlines and
# measure reminders/escalations created per second. Row: timers.fired (timers/s).
bench_timers() {
  record timers.fired "due timers fired (reminders, escalations)" null timers/s "" \
    "slot: not written yet"
}

# SLOT import: POST /api/v1/households/import of $OUT/households.csv (in chunks within the body
# limit), all-or-nothing per chunk. Row: import.households (households/s).
bench_import() {
  record import.households "household CSV import" null households/s "" "slot: not written yet"
}

# SLOT delivery: outbox -> webhook delivery to a local fake platform on 127.0.0.1 with pacing off.
# Row: delivery.messages (messages/s).
bench_delivery() {
  record delivery.messages "outbox delivery to a local fake platform" null messages/s "" \
    "slot: not written yet"
}

main() {
  mkdir -p "$OUT"
  : >"$RESULTS"
  machine_info | tee "$OUT/machine.txt"
  build_bench
  local b
  for b in generate sqlite bpmn engine http timers import delivery; do
    if wanted "$b"; then "bench_$b"; fi
  done
  echo
  node "$ROOT/bench/report.mjs" "$RESULTS" | tee "$OUT/table.txt"
}

main "$@"
