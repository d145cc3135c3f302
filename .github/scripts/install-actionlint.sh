#!/usr/bin/env bash
# Installs the workflow linter the tests run, from the Go module proxy, into .tools/bin (not committed).
set -euo pipefail
cd "$(dirname "$0")/../.."
GOBIN="$PWD/.tools/bin" go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
