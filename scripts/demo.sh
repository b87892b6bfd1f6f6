#!/usr/bin/env bash
# The one-command demo (`npm run demo`, after scripts/setup.sh): a local Kubernetes control plane
# whose pods run as local processes, NATS, the Helm chart, an ffmpeg test source and a Stream,
# then live packets from NATS until Ctrl-C. Everything it starts is stopped on exit, by pid.
#
#   bash scripts/demo.sh                 interactive: print the console's URL (the Stream in a
#                                        browser), then tail packets until Ctrl-C
#   bash scripts/demo.sh --duration 20   tail for 20 s, then clean up and exit (DEMO_HEADLESS=1
#                                        does the same with DEMO_DURATION, default 15 s)
#
# TRIBUTARY_KEEP_CLUSTER=1 keeps the cluster's files (logs of every pod) after the demo;
# DEMO_LIVE_TIMEOUT (seconds, default 180) bounds the wait for Live.
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
export PATH="$REPO/node_modules/.bin:$PATH"

duration=""
[ "${DEMO_HEADLESS:-0}" = 1 ] && duration=${DEMO_DURATION:-15}
while (($#)); do
  case $1 in
    --duration) duration=${2:?--duration needs seconds}; shift 2 ;;
    *) echo "usage: scripts/demo.sh [--duration <seconds>]" >&2; exit 2 ;;
  esac
done

NAMESPACE=tributary-system
STREAM_NAMESPACE=default
STREAM=demo
LIVE_TIMEOUT=${DEMO_LIVE_TIMEOUT:-180}

log() { echo "demo: $*"; }
die() {
  echo "demo: ERROR: $*" >&2
  exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-demo-XXXXXX")
pids=() # started background processes, in start order; each leads its own process group
cluster_dir=""

stop_pid() {
  local pid=$1 grace=$2 waited=0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < grace * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  log "cleaning up"
  local i
  # Newest first: the source and tail, then NATS, the cluster last (it stops the pods it runs).
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}" 30; done
  if [ "${TRIBUTARY_KEEP_CLUSTER:-0}" = 1 ]; then
    log "kept $WORK and the cluster files in $cluster_dir"
  else
    rm -rf "$WORK"
  fi
  log "done"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts a command in its own session (so Ctrl-C reaches only this script and the foreground
# tail, and cleanup can stop the whole group), logging to $WORK/<name>.log.
start() {
  local name=$1
  shift
  setsid "$@" >"$WORK/$name.log" 2>&1 &
  pids+=($!)
}

free_port() { # tcp | udp
  node -e '
    const proto = process.argv[1];
    const done = (port, close) => { console.log(port); close(); };
    if (proto === "udp") {
      const s = require("node:dgram").createSocket("udp4");
      s.bind(0, "127.0.0.1", () => done(s.address().port, () => s.close()));
    } else {
      const s = require("node:net").createServer();
      s.listen(0, "127.0.0.1", () => done(s.address().port, () => s.close()));
    }' "$1"
}

wait_until() { # <seconds> <what> <command...>
  local seconds=$1 what=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < seconds)) || die "$what did not happen within $seconds s"
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || die "a process exited while waiting for $what (logs in $WORK)"; done
    sleep 0.5
  done
}

# What a failed wait shows: the objects, and the last lines of every pod's log.
diagnose() {
  {
    echo "--- streams"
    "$KUBECTL" get streams -A -o yaml || true
    echo "--- pods"
    "$KUBECTL" get pods -A -o wide || true
    echo "--- pod logs (last lines; all in $cluster_dir/agent/pods)"
    find "$cluster_dir/agent/pods" -name output.log -exec sh -c 'echo "== $1"; tail -n 20 "$1"' _ {} \; || true
  } >&2
}

# Short polls rather than one long `kubectl rollout status`, so Ctrl-C is handled at once.
wait_for_operator() {
  local start=$SECONDS ready last=""
  while :; do
    ready=$("$KUBECTL" -n "$NAMESPACE" get deployment tributary-operator \
      -o 'jsonpath={.status.readyReplicas}/{.spec.replicas}' 2>/dev/null || true)
    [[ $ready == /* ]] && ready=0$ready # readyReplicas is absent until one is ready
    [ "$ready" != "$last" ] && log "operator replicas ready: ${ready:-?}" && last=$ready
    [ -n "$ready" ] && [ "${ready%/*}" = "${ready#*/}" ] && return 0
    if ((SECONDS - start > 180)); then
      diagnose
      die "the operator did not become ready within 180 s"
    fi
    sleep 1
  done
}

# 1. Kubernetes binaries: built from Go modules the first time (about 15 minutes; progress below).
log "Kubernetes binaries (the first run builds them; later runs reuse the cache)"
binaries=$(bash scripts/kube-binaries.sh) || die "could not build the Kubernetes binaries (see above)"
eval "$(grep -E '^TRIBUTARY_[A-Z_]+=' <<<"$binaries")"
KUBECTL=$TRIBUTARY_KUBECTL
HELM=$TRIBUTARY_HELM
export KUBECONFIG=$WORK/kubeconfig
export HELM_CACHE_HOME=$WORK/helm/cache HELM_CONFIG_HOME=$WORK/helm/config HELM_DATA_HOME=$WORK/helm/data

# 2. The cluster: etcd, kube-apiserver, controller-manager, scheduler and a node agent that runs
# the chart's images from this checkout (the operator and ingest pods become local processes).
log "starting the cluster"
cluster_started=$SECONDS
# The same cluster as `npm run cluster:up`, with its state (kubeconfig, state.json) in $WORK.
start cluster node --import tsx tools/cluster/cli.ts serve --state-dir "$WORK/cluster"
wait_until 120 "the cluster start" grep -q '"ready":true' "$WORK/cluster/state.json"
cp "$WORK/cluster/kubeconfig" "$KUBECONFIG"
cluster_dir=$(node -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).dir' "$WORK/cluster/state.json")
log "cluster up in $((SECONDS - cluster_started)) s (files: $cluster_dir)"

# 3. The chart, with the harness values: NATS at the address below, pods bind their own 127.x
# address. NATS authorization stays on, as in a real install.
nats_port=$(free_port tcp)
NATS_URL=nats://127.0.0.1:$nats_port
log "helm install tributary charts/tributary"
"$HELM" install tributary charts/tributary --namespace "$NAMESPACE" --create-namespace \
  --values charts/tributary/ci/harness-values.yaml --set nats.url="$NATS_URL" >"$WORK/helm.log" ||
  die "helm install failed: $(cat "$WORK/helm.log")"
wait_for_operator

# 4. NATS as a local process (the chart's own NATS needs a container runtime), trusting the keys
# the operator created on its first start, as the chart's NATS does.
"$KUBECTL" -n "$NAMESPACE" get secret tributary-nats-auth -o 'jsonpath={.data.auth\.conf}' | base64 -d >"$WORK/auth.conf"
printf 'listen: "127.0.0.1:%s"\njetstream { store_dir: "%s" }\ninclude ./auth.conf\n' \
  "$nats_port" "$WORK/jetstream" >"$WORK/nats.conf"
start nats nats-server -c "$WORK/nats.conf"
wait_until 20 "NATS to listen" bash -c "exec 3<>/dev/tcp/127.0.0.1/$nats_port"
log "NATS $NATS_URL (config $WORK/nats.conf: every client needs a credential the operator minted)"
"$KUBECTL" -n "$NAMESPACE" get pods -o wide

# 5. An ffmpeg test source: a test pattern and a tone as MPEG-TS over UDP, in real time.
udp_port=$(free_port udp)
start ffmpeg ffmpeg -nostdin -hide_banner -loglevel error -re \
  -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=1000:sample_rate=48000 \
  -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 25 -b:v 800k \
  -c:a aac -b:a 96k -f mpegts -flush_packets 0 "udp://127.0.0.1:$udp_port?pkt_size=1316"
log "ffmpeg test source -> udp://127.0.0.1:$udp_port"

# 6. The Stream from examples/, pointed at that port.
sed "s#udp://127.0.0.1:15000#udp://127.0.0.1:$udp_port#" examples/local-udp.yaml |
  "$KUBECTL" -n "$STREAM_NAMESPACE" apply -f -

# 7. Watch it become Live.
phase() { "$KUBECTL" -n "$STREAM_NAMESPACE" get stream "$STREAM" -o 'jsonpath={.status.phase}' 2>/dev/null; }
log "kubectl get streams (waiting for Live)"
live_started=$SECONDS
last=""
while :; do
  # The phase is read before the table, so the table printed last always shows Live.
  current=$(phase || true)
  table=$("$KUBECTL" -n "$STREAM_NAMESPACE" get streams 2>&1 || true)
  if [ "$table" != "$last" ]; then
    echo "$table"
    last=$table
  fi
  [ "$current" = Live ] && break
  if ((SECONDS - live_started > LIVE_TIMEOUT)); then
    diagnose
    die "stream $STREAM_NAMESPACE/$STREAM did not reach Live within $LIVE_TIMEOUT s"
  fi
  sleep 1
done
log "stream $STREAM_NAMESPACE/$STREAM is Live after $((SECONDS - live_started)) s"

# 8. Packets from NATS, as a buffer pod would see them, with the namespace's read-only credential.
"$KUBECTL" -n "$STREAM_NAMESPACE" get secret tributary-nats-reader -o 'jsonpath={.data.nats\.creds}' |
  base64 -d >"$WORK/reader.creds"
log "read-only NATS credential of namespace $STREAM_NAMESPACE: $WORK/reader.creds"

# 9. The reference buffer pod, as a local process with that same credential: the Stream as live
# MPEG-TS and HLS for any player, and the web console.
buffer_port=$(free_port tcp)
buffer_metrics_port=$(free_port tcp)
start buffer node ingest-pod/bin/tributary.js buffer --namespace "$STREAM_NAMESPACE" --host 127.0.0.1 \
  --port "$buffer_port" --metrics-port "$buffer_metrics_port" --nats-url "$NATS_URL" \
  --nats-creds "$WORK/reader.creds" --replica demo
buffer_holds_stream() {
  node -e 'fetch(process.argv[1]).then((r) => r.json()).then((b) => process.exit(b.streams.some((s) => s.received > 0) ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$buffer_port/streams"
}
wait_until 60 "the buffer to receive the stream" buffer_holds_stream
log "console: http://127.0.0.1:$buffer_port/ (open it in a browser: the Stream, its inputs and events, a player)"
log "watch it: ffplay http://127.0.0.1:$buffer_port/$STREAM_NAMESPACE/$STREAM.ts (or VLC; HLS at http://127.0.0.1:$buffer_port/$STREAM_NAMESPACE/$STREAM/index.m3u8; /streams lists what the buffer holds)"

tail_cmd=(node ingest-pod/bin/tributary.js tail "$STREAM_NAMESPACE/$STREAM" --nats "$NATS_URL" --creds "$WORK/reader.creds")
if [ -n "$duration" ]; then
  log "tributary tail $STREAM_NAMESPACE/$STREAM for $duration s"
  "${tail_cmd[@]}" &
  tail_pid=$!
  pids+=("$tail_pid")
  sleep "$duration"
  kill -TERM "$tail_pid" 2>/dev/null || true
  wait "$tail_pid" || true
  "$KUBECTL" -n "$STREAM_NAMESPACE" get streams
else
  log "tributary tail $STREAM_NAMESPACE/$STREAM (Ctrl-C stops the demo and cleans up)"
  "${tail_cmd[@]}" || true
fi
