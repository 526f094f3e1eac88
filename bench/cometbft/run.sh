#!/usr/bin/env bash
# CometBFT side-by-side benchmark (bench/README.md, "CometBFT side by side"; issue 16).
#
#   bench/cometbft/run.sh [--modes kvstore,kv,ed25519] [--rates 300,600,1000,1500] [--seconds 60] [--drain 20]
#                         [--timeout-commit 1s] [--connections 128] [--broadcast sync|async] [--submit all|first]
#                         [--forge-every N] [--port-base 36600] [--out FILE] [--keep]
#
# Needs only Go ≥ 1.24 and the Go module proxy (proxy.golang.org or GOPROXY). Builds CometBFT v0.38.26 (from this
# module's `tool` line), bench-abci and bench-load into a temporary directory, then for every mode and rate
# starts a fresh 4-validator localnet on 127.0.0.1 (`cometbft testnet`, 1 s timeout_commit), runs
# bench-load against it, and stops every process it started. Modes:
#   kvstore  CometBFT's own kvstore, in-process (`--proxy_app=kvstore`), `key=value` txs
#   kv       bench-abci kv mode over a unix ABCI socket (out of process, as our modules are)
#   ed25519  bench-abci ed25519 mode over a unix ABCI socket: CheckTx and FinalizeBlock verify a signature
# --forge-every N: in ed25519 mode every Nth tx carries a corrupted signature; the nodes must refuse it
# (`CheckTx code 2` in `refused`). One `RESULT {json}` line per (mode, rate) goes to --out (default
# bench/results/cometbft-<UTC time>.jsonl), a summary table to stdout at the end. Run it under the machine-wide lock on a shared box:
#   bash bench/cometbft/run.sh --seconds 20
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODES=kvstore,kv,ed25519
RATES=300,600,1000,1500
WINDOW=60
DRAIN=20
TIMEOUT_COMMIT=1s
CONNECTIONS=128
BROADCAST=sync
SUBMIT=all
PORT_BASE=36600
FORGE=0
OUT=""
KEEP=0

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --modes) MODES="$2"; shift 2 ;;
    --rates) RATES="$2"; shift 2 ;;
    --seconds) WINDOW="$2"; shift 2 ;;
    --drain) DRAIN="$2"; shift 2 ;;
    --timeout-commit) TIMEOUT_COMMIT="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --broadcast) BROADCAST="$2"; shift 2 ;;
    --submit) SUBMIT="$2"; shift 2 ;;
    --port-base) PORT_BASE="$2"; shift 2 ;;
    --forge-every) FORGE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
for m in ${MODES//,/ }; do
  case "$m" in kvstore|kv|ed25519) ;; *) echo "run.sh: unknown mode $m (kvstore | kv | ed25519)" >&2; exit 2 ;; esac
done
case "$SUBMIT" in all|first) ;; *) echo "run.sh: --submit all|first" >&2; exit 2 ;; esac
command -v go >/dev/null || { echo "run.sh: go is not on PATH" >&2; exit 1; }

if [[ -z "$OUT" ]]; then
  mkdir -p "$HERE/../results"
  OUT="$(cd "$HERE/../results" && pwd)/cometbft-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bai-cometbft.XXXXXX")"
BIN="$WORK/bin"
PIDS=()

log() { printf '[run.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

stop_net() {
  local pid alive
  [[ ${#PIDS[@]} -gt 0 ]] || return 0
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_net
  if [[ $KEEP -eq 1 ]]; then log "kept $WORK (node logs, configs)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build
log "building CometBFT v0.38.26, bench-abci, bench-load (GOCACHE $(go env GOCACHE), GOMODCACHE $(go env GOMODCACHE))"
(
  cd "$HERE"
  go build -buildvcs=false -o "$BIN/cometbft" github.com/cometbft/cometbft/cmd/cometbft
  go build -buildvcs=false -o "$BIN/" ./cmd/bench-abci ./cmd/bench-load
)
CMT="$BIN/cometbft"
log "cometbft $("$CMT" version)"

# ---------------------------------------------------------------- one localnet
# start_net <mode> <dir>: 4 validators (+ 4 bench-abci processes unless kvstore); sets RPCS and PIDLIST.
start_net() {
  local mode="$1" net="$2" i j peers proxy p2p rpc sock
  local ids=()
  "$CMT" testnet --v 4 --o "$net" --populate-persistent-peers=false >/dev/null
  # testnet already writes addr_book_strict = false, allow_duplicate_ip = true; set the block cadence.
  sed -i "s/^timeout_commit = .*/timeout_commit = \"$TIMEOUT_COMMIT\"/" "$net"/node*/config/config.toml
  for i in 0 1 2 3; do ids+=("$("$CMT" show-node-id --home "$net/node$i")"); done
  RPCS=""
  PIDLIST=""
  for i in 0 1 2 3; do
    p2p=$((PORT_BASE + 10 * i))
    rpc=$((PORT_BASE + 10 * i + 1))
    peers=""
    for j in 0 1 2 3; do
      [[ $j -eq $i ]] && continue
      peers+="${peers:+,}${ids[$j]}@127.0.0.1:$((PORT_BASE + 10 * j))"
    done
    if [[ "$mode" == kvstore ]]; then
      proxy=kvstore
    else
      sock="$net/app$i.sock"
      "$BIN/bench-abci" --mode "$mode" --addr "unix://$sock" >"$net/app$i.log" 2>&1 &
      PIDS+=($!)
      PIDLIST+="${PIDLIST:+,}app-$i=$!"
      for _ in $(seq 1 100); do [[ -S "$sock" ]] && break; sleep 0.1; done
      [[ -S "$sock" ]] || { log "bench-abci $i did not open $sock"; cat "$net/app$i.log" >&2; return 1; }
      proxy="unix://$sock"
    fi
    "$CMT" node --home "$net/node$i" --proxy_app "$proxy" \
      --rpc.laddr "tcp://127.0.0.1:$rpc" --p2p.laddr "tcp://127.0.0.1:$p2p" \
      --p2p.persistent_peers "$peers" --p2p.pex=false >"$net/node$i.log" 2>&1 &
    PIDS+=($!)
    PIDLIST+="${PIDLIST:+,}node-$i=$!"
    if [[ "$SUBMIT" == all || $i -eq 0 ]]; then RPCS+="${RPCS:+,}http://127.0.0.1:$rpc"; fi
  done
}

label_of() {
  case "$1" in
    kvstore) echo "CometBFT kvstore, in-process" ;;
    kv) echo "bench-abci kv, unix socket" ;;
    ed25519) echo "bench-abci ed25519, unix socket" ;;
  esac
}

# ---------------------------------------------------------------- runs
log "results → $OUT"
for mode in ${MODES//,/ }; do
  for rate in ${RATES//,/ }; do
    net="$WORK/net-$mode-$rate"
    log "mode $mode, $rate tx/s for $WINDOW s: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    start_net "$mode" "$net"
    txmode=$mode
    [[ "$mode" == kvstore ]] && txmode=kv
    forge=()
    [[ "$mode" == ed25519 && "$FORGE" != 0 ]] && forge=(--forge-every "$FORGE")
    set +e
    "$BIN/bench-load" --rpc "$RPCS" --mode "$txmode" --rate "$rate" --seconds "$WINDOW" --drain "$DRAIN" \
      --connections "$CONNECTIONS" --broadcast "$BROADCAST" --pids "$PIDLIST" --label "$(label_of "$mode")" "${forge[@]}" \
      | tee -a "$OUT"
    rc=${PIPESTATUS[0]}
    set -e
    stop_net
    if [[ $rc -ne 0 ]]; then
      log "bench-load failed ($rc); last node log lines:"
      tail -n 20 "$net/node0.log" >&2 || true
      KEEP=1
      exit "$rc"
    fi
    [[ $KEEP -eq 1 ]] || rm -rf "$net"
  done
done

"$BIN/bench-load" summary "$OUT"
log "done: $OUT"
