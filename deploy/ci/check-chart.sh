#!/usr/bin/env bash
# Checks the Helm chart deploy/helm/balanceai:
#   1. helm lint --strict with every ci/*-values.yaml
#   2. helm template of each, validated by kubeconform against strict Kubernetes JSON schemas
#      (generated here from the OpenAPI spec in the k8s.io/kubernetes Go module, plus the
#      ServiceMonitor CRD from the prometheus-operator Go module); a kind without a schema fails
#   3. the helm-unittest suites in deploy/helm/balanceai/tests/
#
# Idempotent. Tools come from the Go module proxy only and are built into a cache outside the
# repo ($BAI_TOOLS_DIR, default ~/.cache/balanceai-tools); a second run reuses them.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHART="$ROOT/deploy/helm/balanceai"
TOOLS="${BAI_TOOLS_DIR:-$HOME/.cache/balanceai-tools}"

# Pinned versions. Bump together; each must build with the Go on the machine (GOTOOLCHAIN=local).
HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
HELM_UNITTEST_VERSION=v1.1.2
KUBERNETES_VERSION=v1.36.3          # schemas are generated from this release's OpenAPI spec
PROMETHEUS_OPERATOR_VERSION=v0.85.0 # ServiceMonitor CRD

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null || { echo "check-chart: Go is required (it builds helm, kubeconform, helm-unittest)" >&2; exit 1; }
export GOPATH="$TOOLS/go" GOMODCACHE="$TOOLS/go/mod" GOCACHE="$TOOLS/go/build"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
# Helm keeps its config, cache and plugins here instead of the user's home.
export HELM_CACHE_HOME="$TOOLS/helm/cache" HELM_CONFIG_HOME="$TOOLS/helm/config" HELM_DATA_HOME="$TOOLS/helm/data"
BIN="$TOOLS/bin"
mkdir -p "$BIN" "$GOPATH"

step() { printf '\n== %s\n' "$*"; }
elapsed() { printf '   (%ss)\n' "$((SECONDS - $1))"; }

# go_tool NAME PACKAGE VERSION: installs PACKAGE@VERSION as $BIN/NAME-VERSION unless present.
go_tool() {
  local name=$1 pkg=$2 version=$3 target="$BIN/$1-$3"
  if [[ ! -x "$target" ]]; then
    local t=$SECONDS tmp
    tmp=$(mktemp -d "$TOOLS/gobin.XXXXXX")
    echo "   building $pkg@$version" >&2
    GOBIN="$tmp" go install -trimpath -ldflags=-s "$pkg@$version"
    mv "$tmp/$(basename "$pkg")" "$target"
    rm -rf "$tmp"
    elapsed "$t" >&2
  fi
  printf '%s' "$target"
}

# go_tool_from_source NAME MODULE VERSION PACKAGE: for modules whose go.mod has replace
# directives (go install mod@version refuses them): build inside a copy of the module source.
go_tool_from_source() {
  local name=$1 module=$2 version=$3 pkg=$4 target="$BIN/$1-$3"
  if [[ ! -x "$target" ]]; then
    local t=$SECONDS src tmp
    echo "   building $module/$pkg@$version (from module source)" >&2
    src=$(module_dir "$module" "$version")
    tmp=$(mktemp -d "$TOOLS/gosrc.XXXXXX")
    cp -r "$src/." "$tmp" && chmod -R u+w "$tmp"
    (cd "$tmp" && go build -trimpath -ldflags=-s -o "$target.partial" "./$pkg")
    mv "$target.partial" "$target"
    rm -rf "$tmp"
    elapsed "$t" >&2
  fi
  printf '%s' "$target"
}

# module_dir MODULE VERSION: the unpacked source of a Go module, downloaded through the proxy.
module_dir() {
  go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

step "tools (cache: $TOOLS)"
T0=$SECONDS
HELM=$(go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION")
KUBECONFORM=$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")
UNITTEST=$(go_tool_from_source helm-unittest github.com/helm-unittest/helm-unittest "$HELM_UNITTEST_VERSION" cmd/helm-unittest)

SCHEMAS="$TOOLS/schemas/kubernetes-$KUBERNETES_VERSION+prometheus-operator-$PROMETHEUS_OPERATOR_VERSION-strict"
GENERATOR_SRC="$ROOT/deploy/ci/k8s-schemas"
GENERATOR_STAMP=$(cat "$GENERATOR_SRC/main.go" "$GENERATOR_SRC/go.mod" | sha256sum | cut -c1-12)
if [[ ! -f "$SCHEMAS/.done-$GENERATOR_STAMP" ]]; then
  echo "   generating Kubernetes JSON schemas"
  K8S_DIR=$(module_dir k8s.io/kubernetes "$KUBERNETES_VERSION")
  PO_DIR=$(module_dir github.com/prometheus-operator/prometheus-operator "$PROMETHEUS_OPERATOR_VERSION")
  rm -rf "$SCHEMAS"
  (cd "$GENERATOR_SRC" && go run . \
    -swagger "$K8S_DIR/api/openapi-spec/swagger.json" \
    -crd "$PO_DIR/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
    -out "$SCHEMAS")
  touch "$SCHEMAS/.done-$GENERATOR_STAMP"
fi
"$HELM" version --short
"$KUBECONFORM" -v
elapsed "$T0"

VALUES_FILES=("$CHART"/ci/*-values.yaml)
RENDER_DIR=$(mktemp -d)
trap 'rm -rf "$RENDER_DIR"' EXIT
KUBE_MINOR=${KUBERNETES_VERSION#v}

step "helm lint --strict"
T0=$SECONDS
"$HELM" lint --strict "$CHART"
for values in "${VALUES_FILES[@]}"; do
  "$HELM" lint --strict "$CHART" -f "$values" --kube-version "$KUBE_MINOR"
done
elapsed "$T0"

step "helm template + kubeconform (strict, Kubernetes $KUBERNETES_VERSION)"
T0=$SECONDS
for values in "${VALUES_FILES[@]}"; do
  name=$(basename "$values" -values.yaml)
  out="$RENDER_DIR/$name.yaml"
  # --api-versions: the ServiceMonitor template renders only where the CRD is installed.
  "$HELM" template "bai-$name" "$CHART" -f "$values" --namespace balanceai \
    --kube-version "$KUBE_MINOR" --api-versions monitoring.coreos.com/v1 >"$out"
  echo "-- $name: $(grep -c '^kind:' "$out") objects"
  "$KUBECONFORM" -strict -summary -kubernetes-version "$KUBE_MINOR" \
    -schema-location "$SCHEMAS/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json" \
    "$out"
done
elapsed "$T0"

step "helm-unittest"
T0=$SECONDS
suites=("$CHART"/tests/*_test.yaml)
[[ -e "${suites[0]}" ]] || { echo "no test suites in $CHART/tests" >&2; exit 1; }
"$UNITTEST" --strict --file 'tests/*_test.yaml' "$CHART"
elapsed "$T0"

echo
echo "check-chart: OK"
