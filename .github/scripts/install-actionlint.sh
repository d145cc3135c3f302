#!/usr/bin/env bash
# Installs the workflow linter the tests run, from the Go module proxy, into .tools/bin (not committed).
# `npm test` runs this first (npm's `pretest`), so it must be cheap when the right version is already there:
# it builds only when the binary is missing or reports another version.
set -euo pipefail
cd "$(dirname "$0")/../.."
version="1.7.12"
bin="$PWD/.tools/bin/actionlint"
if [[ -x "$bin" ]] && [[ "$("$bin" -version 2>/dev/null | head -n 1)" == "v$version" ]]; then
    exit 0
fi
command -v go >/dev/null || { echo "install-actionlint: Go 1.25+ is needed to build actionlint $version (https://go.dev/dl/)" >&2; exit 1; }
echo "install-actionlint: building actionlint $version into .tools/bin" >&2
GOBIN="$PWD/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@v$version"
