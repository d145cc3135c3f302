#!/usr/bin/env bash
# Usage: plan-diff.sh <base checkout> <head checkout> <comment.md>
# Plans every stack file of either checkout offline, each with its own checkout's code, and writes one
# Markdown comment with the diff per stack. A stack present on one side only is diffed against no resources.
# Exits 0 whether or not something changed; 1 if a plan cannot be built (the comment then says which).
set -euo pipefail
base="$1" head="$2" out="$3"
marker="<!-- ambient-spire-plan-diff -->"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

stacks() { (cd "$1" && ls Pulumi.*.yaml 2>/dev/null | sed -e 's/^Pulumi\.//' -e 's/\.yaml$//') || true; }
plan() { # <checkout> <stack> <file>
    if [[ -f "$1/Pulumi.$2.yaml" ]]; then
        # Stacks that read other stacks' outputs are planned against the checkout's example outputs, if any.
        local references=()
        [[ -f "$1/docs/plan-references.json" ]] && references=(--references docs/plan-references.json)
        (cd "$1" && node --max-old-space-size=768 --import tsx infra/plan/cli.ts "$2" --json "${references[@]}") >"$3" 2>"$3.err"
    else
        printf '{"project":"ambient-spire","stack":"%s","resources":[]}\n' "$2" >"$3"
    fi
}

failed=0
{
    echo "$marker"
    echo "## Offline plan diff (base → head)"
    echo
    echo "Built with \`npm run plan\` on Pulumi's mock engine: no cluster and no credentials were used. Values known only at deploy show as [unknown]; secrets as [secret]."
    for stack in $( (stacks "$base"; stacks "$head") | sort -u); do
        echo
        if ! plan "$base" "$stack" "$work/base-$stack.json"; then
            echo "### $stack: the base plan failed"; echo '```'; tail -n 5 "$work/base-$stack.json.err"; echo '```'; failed=1; continue
        fi
        if ! plan "$head" "$stack" "$work/head-$stack.json"; then
            echo "### $stack: the head plan failed"; echo '```'; tail -n 5 "$work/head-$stack.json.err"; echo '```'; failed=1; continue
        fi
        status=0
        (cd "$head" && node --import tsx infra/plan/cli.ts diff "$work/base-$stack.json" "$work/head-$stack.json") || status=$?
        [[ $status -eq 0 || $status -eq 2 ]] || failed=1
    done
} >"$out"
exit "$failed"
