#!/usr/bin/env bash
# Fetches the upstream CRDs and chart values the tests check against into ../shared/upstream, at the pinned
# tags below (docs/e2e.md, "Checked against upstream", says what the tests check against them). Developer
# machines and the team's CI already have them; a GitHub runner does not. Files are used unmodified except
# one Helm template line in the spire-crds CRD.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)/../shared/upstream"
raw=https://raw.githubusercontent.com
get() { mkdir -p "$(dirname "$root/$2")"; curl -fsSL --retry 3 "$raw/$1" -o "$root/$2"; }

get kubernetes-sigs/gateway-api/v1.3.0/config/crd/standard/gateway.networking.k8s.io_gateways.yaml gateway-api-v1.3.0/gateway.networking.k8s.io_gateways.yaml
get kubernetes-sigs/gateway-api/v1.3.0/LICENSE gateway-api-v1.3.0/LICENSE

charts=spiffe/helm-charts-hardened
get "$charts/spire-crds-0.5.0/charts/spire-crds/templates/spire.spiffe.io_clusterspiffeids.yaml" spire-crds-0.5.0/spire.spiffe.io_clusterspiffeids.yaml
sed -i '/{{/d' "$root/spire-crds-0.5.0/spire.spiffe.io_clusterspiffeids.yaml"
get "$charts/spire-crds-0.5.0/LICENSE" spire-crds-0.5.0/LICENSE
get "$charts/spire-0.24.2/charts/spire/values.yaml" spire-0.24.2/values.yaml
for file in spire-agent/values.yaml spire-agent/values.schema.json spire-server/values.yaml spiffe-csi-driver/values.yaml; do
    get "$charts/spire-0.24.2/charts/spire/charts/$file" "spire-0.24.2/charts/$file"
done
get "$charts/spire-0.24.2/LICENSE" spire-0.24.2/LICENSE

istio=istio/istio/1.27.8/manifests/charts
get "$istio/base/values.yaml" istio-1.27.8/base.values.yaml
get "$istio/istio-control/istio-discovery/values.yaml" istio-1.27.8/istio-discovery.values.yaml
get "$istio/istio-cni/values.yaml" istio-1.27.8/istio-cni.values.yaml
get "$istio/ztunnel/values.yaml" istio-1.27.8/ztunnel.values.yaml
get istio/istio/1.27.8/LICENSE istio-1.27.8/LICENSE
