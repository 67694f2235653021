#!/usr/bin/env bash
# Builds the comparison peer — an OpenTelemetry Collector (contrib) distribution with just the
# components vigil's comparison tests and benchmarks use — once, with the OpenTelemetry Collector
# Builder, and caches it. Prints the binary's path on stdout; everything else goes to stderr.
# A second call finds the cached binary and returns at once.
#
#   scripts/peer-otelcol.sh            # build if needed, print the path
#   VIGIL_CACHE=/some/dir scripts/peer-otelcol.sh
#
# Version: v0.155.0, the newest line the Go module proxy serves whole enough (README.md, "Peer"):
# at v0.165 modules the tail_sampling processor needs (pkg/ottl/contexts/xprofile, pkg/expohisto)
# are missing, at v0.161 the kafka components' pkg/kafka/configkafka and pkg/kafka/topic. At
# v0.155 only a test-only dependency of the file exporter is, hence `go build -mod=mod` below.
set -euo pipefail

PEER_VERSION="0.155.0"
CACHE_ROOT="${VIGIL_CACHE:-${HOME}/.cache/vigil}"
DIR="${CACHE_ROOT}/otelcol-${PEER_VERSION}"
BIN="${DIR}/otelcol-vigil-peer"

if [ -x "${BIN}" ]; then
  echo "${BIN}"
  exit 0
fi

command -v go >/dev/null || { echo "peer-otelcol.sh: Go is not installed" >&2; exit 1; }
mkdir -p "${DIR}"

# One build at a time: CI and tests may call this concurrently.
exec 9>"${DIR}/.lock"
flock 9
if [ -x "${BIN}" ]; then
  echo "${BIN}"
  exit 0
fi

export GOFLAGS="${GOFLAGS:+${GOFLAGS} }-mod=mod"
export GOBIN="${DIR}/tools"
BUILDER="${GOBIN}/builder"
if [ ! -x "${BUILDER}" ]; then
  echo "peer-otelcol.sh: installing the collector builder v${PEER_VERSION} ($(go env GOPROXY))" >&2
  go install "go.opentelemetry.io/collector/cmd/builder@v${PEER_VERSION}" >&2
fi

CORE="go.opentelemetry.io/collector"
CONTRIB="github.com/open-telemetry/opentelemetry-collector-contrib"
V="v${PEER_VERSION}"
BUILD_DIR="${DIR}/build"
rm -rf "${BUILD_DIR}"
cat >"${DIR}/manifest.yaml" <<EOF
dist:
  name: otelcol-vigil-peer
  description: OpenTelemetry Collector peer for vigil's comparison tests and benchmarks
  output_path: ${BUILD_DIR}
receivers:
  - gomod: ${CORE}/receiver/otlpreceiver ${V}
  - gomod: ${CONTRIB}/receiver/kafkareceiver ${V}
processors:
  - gomod: ${CORE}/processor/batchprocessor ${V}
  - gomod: ${CONTRIB}/processor/tailsamplingprocessor ${V}
connectors:
  - gomod: ${CONTRIB}/connector/spanmetricsconnector ${V}
  - gomod: ${CORE}/connector/forwardconnector ${V}
exporters:
  - gomod: ${CORE}/exporter/otlpexporter ${V}
  - gomod: ${CORE}/exporter/otlphttpexporter ${V}
  - gomod: ${CONTRIB}/exporter/fileexporter ${V}
  - gomod: ${CONTRIB}/exporter/kafkaexporter ${V}
  - gomod: ${CORE}/exporter/debugexporter ${V}
EOF

echo "peer-otelcol.sh: building otelcol-vigil-peer v${PEER_VERSION} in ${BUILD_DIR} (several minutes)" >&2
START=$(date +%s)
# The builder only writes the sources here: its module step (`go mod tidy`) also wants the
# test-only dependencies of every component, and fileexporter's tests import a module the proxy
# does not serve at this version. So go.mod is written here and `go build -mod=mod` resolves just
# what the binary imports.
"${BUILDER}" --skip-get-modules --skip-compilation --config "${DIR}/manifest.yaml" >&2
CONFMAP_V="v1.61.0" # the stable confmap line released with v0.155.0
{
  echo "module otelcol-vigil-peer"
  echo
  echo "go 1.25"
  echo
  echo "require ("
  sed -n 's/^ *- gomod: \(.*\)$/  \1/p' "${DIR}/manifest.yaml"
  echo "  ${CORE}/otelcol ${V}"
  echo "  ${CORE}/service ${V}"
  for p in env file http https yaml; do echo "  ${CORE}/confmap/provider/${p}provider ${CONFMAP_V}"; done
  echo ")"
} >"${BUILD_DIR}/go.mod"
(cd "${BUILD_DIR}" && go build -mod=mod -trimpath -ldflags="-s -w" -o otelcol-vigil-peer .) >&2
cp "${BUILD_DIR}/otelcol-vigil-peer" "${BIN}.tmp"
mv "${BIN}.tmp" "${BIN}"
echo "peer-otelcol.sh: built in $(( $(date +%s) - START )) s: ${BIN}" >&2
echo "${BIN}"
