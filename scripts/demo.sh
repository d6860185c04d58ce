#!/usr/bin/env bash
# `npm run demo`: every AWS stage on the local sandbox, from a fresh clone, ending with the status table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/find-provider-mirror.sh
. "$root/scripts/lib/find-provider-mirror.sh"
cli="$root/bin/triton-ops.js"
mkdir -p "$root/demo"
cd "$root/demo"
if [ ! -f triton-ops.yaml ]; then
  node "$cli" init --yes --sandbox --name demo --env dev
fi
node "$cli" up --stage all --yes
node "$cli" status
echo
echo "The sandbox keeps running: try 'cd demo && node ../bin/triton-ops.js plan', then 'down --stage all --yes' and 'sandbox stop'."
