#!/usr/bin/env bash
# Builds the real-engine toolchain into .tools/bin (not committed) from the Go module proxy:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, the Pulumi CLI, its Node.js language
#   host, the Pulumi YAML language host (the non-TypeScript consumer the component package is proven with), KWOK
#   (kwok, kwokctl: simulated nodes, with KWOK's default stages in .tools/kwok) and helm.
# Idempotent: a tool whose stamp names the wanted version is skipped, so a second run only checks.
# Provider plugins (kubernetes, tls) are not built here: install them as Pulumi users do
# (`pulumi plugin install resource kubernetes 4.34.2`); `npm run e2e` says which are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=$root/.tools/bin
work=$root/.tools/build
mkdir -p "$bin" "$work"

# Versions: the control plane the e2e targets, and the CLI of the same version as our @pulumi/pulumi.
kubernetes_version=1.35.4
etcd_version=3.6.16
pulumi_version=$(node -p 'require("./node_modules/@pulumi/pulumi/package.json").version' 2>/dev/null \
  || node -p 'require("./package.json").dependencies["@pulumi/pulumi"]')
# The Node.js language host left sdk/v3 after v3.68.0 and its own module is not on the proxy; v3.68.0 is the
# newest that builds from the proxy and it drives @pulumi/pulumi 3.248 (it ignores runtime.options.nodeargs).
language_host_version=3.68.0
yaml_host_version=1.25.0
kwok_version=0.8.0
helm_version=3.22.0

export CGO_ENABLED=0 GOFLAGS=-mod=mod

stamped() { [ -x "$bin/$1" ] && [ "$(cat "$bin/.$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$bin/.$1.version"; }
say() { printf '[e2e:tools] %s\n' "$*"; }

# A wrapper module per tool: upstream mains are built as dependencies, so nothing upstream is vendored here.
new_module() { # dir, module path
  rm -rf "$1"; mkdir -p "$1"
  printf 'module %s\n\ngo 1.25\n' "$2" > "$1/go.mod"
}

build_etcd() {
  if stamped etcd "$etcd_version"; then say "etcd $etcd_version: present"; return; fi
  say "etcd $etcd_version: building"
  local dir=$work/etcd
  new_module "$dir" local/etcd-build
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$dir/tools.go"
  ( cd "$dir" && go get "go.etcd.io/etcd/server/v3@v$etcd_version" && go mod tidy \
    && go build -trimpath -o "$bin/etcd" go.etcd.io/etcd/server/v3 )
  stamp etcd "$etcd_version"
}

build_kubernetes() {
  if stamped kube-apiserver "$kubernetes_version" && stamped kube-controller-manager "$kubernetes_version" \
     && stamped kube-scheduler "$kubernetes_version" && stamped kubectl "$kubernetes_version"; then
    say "kubernetes $kubernetes_version: present"; return
  fi
  say "kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $kubernetes_version: building"
  local dir=$work/kubernetes start=$SECONDS
  new_module "$dir" local/kubernetes-build
  # k8s.io/kubernetes points its staging modules at local paths; each is published as v0.<minor>.<patch>.
  local info gomod staging
  info=$(go mod download -json "k8s.io/kubernetes@v$kubernetes_version")
  gomod=$(printf '%s' "$info" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).GoMod))')
  staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod")
  [ -n "$staging" ] || { echo "no staging replaces found in $gomod" >&2; exit 1; }
  {
    printf 'require k8s.io/kubernetes v%s\n\n' "$kubernetes_version"
    for m in $staging; do printf 'replace %s => %s v0.%s\n' "$m" "$m" "${kubernetes_version#1.}"; done
  } >> "$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler"\n\t_ "k8s.io/kubernetes/cmd/kubectl"\n)\n' > "$dir/tools.go"
  local major=${kubernetes_version%%.*} minor
  minor=${kubernetes_version#*.}; minor=${minor%%.*}
  local ld=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=v$kubernetes_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  ( cd "$dir" && go mod tidy \
    && go build -trimpath -ldflags "$ld" -o "$bin/" k8s.io/kubernetes/cmd/kube-apiserver \
         k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl )
  for t in kube-apiserver kube-controller-manager kube-scheduler kubectl; do stamp "$t" "$kubernetes_version"; done
  say "kubernetes $kubernetes_version: built in $((SECONDS - start)) s"
}

# One main package of a module at a version, through its own wrapper module; the ldflags (-X …) stamp the version.
build_main() { # tool, version, module, main package, ldflags
  local tool=$1 version=$2 module=$3 pkg=$4 ld=$5
  if stamped "$tool" "$version"; then say "$tool $version: present"; return; fi
  say "$tool $version: building"
  local dir=$work/$tool start=$SECONDS
  new_module "$dir" "local/$tool-build"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > "$dir/tools.go"
  ( cd "$dir" && go get "$module@v$version" && go mod tidy \
    && go build -trimpath -ldflags "$ld" -o "$bin/$tool" "$pkg" )
  stamp "$tool" "$version"
  say "$tool $version: built in $((SECONDS - start)) s"
}

build_language_host() {
  build_main pulumi-language-nodejs "$language_host_version" github.com/pulumi/pulumi/sdk/v3 \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$language_host_version"
}

build_yaml_host() {
  build_main pulumi-language-yaml "$yaml_host_version" github.com/pulumi/pulumi-yaml \
    github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$yaml_host_version"
}

# KWOK: the kwok controller (fake nodes whose pods report Running/Ready) and kwokctl.
build_kwok() {
  local tool
  for tool in kwok kwokctl; do
    build_main "$tool" "$kwok_version" sigs.k8s.io/kwok "sigs.k8s.io/kwok/cmd/$tool" \
      "-X sigs.k8s.io/kwok/pkg/consts.Version=v$kwok_version"
  done
}

# The kwok controller has no stages of its own (kwokctl embeds them): the harness gives it KWOK's default ones, the set
# kwokctl's binary runtime uses — nodes turn Ready (lease heartbeat), pods Running/Ready, Job pods Succeeded, deleted
# pods go — and KWOK's volume stages (claims of StorageClass kwok-volume get a bound PV), read from the module at build
# time into .tools/kwok (not committed, like the binaries). The stamp names the version and the list.
kwok_stages() {
  local out=$root/.tools/kwok/stages.yaml stamp_file=$root/.tools/kwok/.stages.version dir f
  if [ -s "$out" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$kwok_version+volumes" ]; then
    say "kwok stages $kwok_version: present"; return
  fi
  mkdir -p "$root/.tools/kwok"
  dir=$(go mod download -json "sigs.k8s.io/kwok@v$kwok_version" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
           volume/fast/pvc-provision.yaml volume/fast/pv-bind.yaml volume/fast/pvc-delete.yaml volume/fast/pv-delete.yaml; do
    printf -- '---\n'; cat "$dir/kustomize/stage/$f"
  done > "$out.tmp"
  mv "$out.tmp" "$out"
  echo "$kwok_version+volumes" > "$stamp_file"
  say "kwok stages $kwok_version: copied to $out"
}

build_helm() {
  # As helm's Makefile: its version, and the Kubernetes version `helm template` assumes (client-go v0.<minor> → 1.<minor>),
  # which is 1.20 when unset.
  if stamped helm "$helm_version"; then say "helm $helm_version: present"; return; fi
  local gomod k8s_minor p ld="-X helm.sh/helm/v3/internal/version.version=v$helm_version"
  gomod=$(go mod download -json "helm.sh/helm/v3@v$helm_version" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).GoMod))')
  k8s_minor=$(sed -n 's#^[[:space:]]*k8s.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$gomod")
  [ -n "$k8s_minor" ] || { echo "no k8s.io/client-go requirement in $gomod" >&2; exit 1; }
  for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld="$ld -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$k8s_minor"
  done
  build_main helm "$helm_version" helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm "$ld"
}

build_pulumi() {
  if stamped pulumi "$pulumi_version"; then say "pulumi $pulumi_version: present"; return; fi
  say "pulumi CLI $pulumi_version: building"
  local dir=$work/pulumi
  new_module "$dir" local/pulumi-build
  local info gomod
  info=$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$pulumi_version")
  gomod=$(printf '%s' "$info" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).GoMod))')
  {
    printf 'require (\n\tgithub.com/pulumi/pulumi/pkg/v3 v%s\n\tgithub.com/pulumi/pulumi/sdk/v3 v%s\n)\n' \
      "$pulumi_version" "$pulumi_version"
    # pkg's own non-local replaces (a clipboard fork) must be repeated: replaces apply only in the main module.
    grep -E '^replace .* => [^./]' "$gomod" || true
  } >> "$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' > "$dir/tools.go"
  ( cd "$dir" && go mod tidy \
    && go build -trimpath -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$pulumi_version" \
         -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi )
  stamp pulumi "$pulumi_version"
}

command -v go >/dev/null || { echo "e2e:tools needs Go (1.25 or newer) on PATH" >&2; exit 1; }
build_language_host
build_yaml_host
build_etcd
build_kubernetes
build_pulumi
build_kwok
kwok_stages
build_helm
say "done: $(cd "$bin" && ls | tr '\n' ' ')"
