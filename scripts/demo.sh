#!/usr/bin/env bash
# `npm run demo`: every AWS stage on the local sandbox, from a fresh clone, ending with the status table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/find-provider-mirror.sh
. "$root/scripts/lib/find-provider-mirror.sh"
cli="$root/bin/triton-ops.js"
mkdir -p "$root/demo"
cd "$root/demo"
# The mirror found above is recorded in the config, so the README's next commands (plan, down, sandbox
# stop) work from a new shell without TRITON_OPS_PROVIDER_MIRROR.
mirror_flag=()
if [ -n "${TRITON_OPS_PROVIDER_MIRROR:-}" ]; then mirror_flag=(--provider-mirror "$TRITON_OPS_PROVIDER_MIRROR"); fi
if [ ! -f triton-ops.yaml ]; then
  node "$cli" init --yes --sandbox --name demo --env dev "${mirror_flag[@]}"
elif [ -n "${TRITON_OPS_PROVIDER_MIRROR:-}" ] && ! grep -q '^terraform:' triton-ops.yaml; then
  # A demo made before the mirror was recorded: add it, leaving the rest of the file as it is.
  printf 'terraform:\n  providerMirror: "%s"\n' "$TRITON_OPS_PROVIDER_MIRROR" >>triton-ops.yaml
fi
node "$cli" up --stage all --yes
node "$cli" status
echo
echo "The sandbox keeps running: try 'cd demo && node ../bin/triton-ops.js plan', then 'down --stage all --yes' and 'sandbox stop'."
