#!/usr/bin/env bash
# Offline checks of the bundled Terraform: fmt, then per stack init (no backend), validate and
# `terraform test` (mock provider, plan-only). Needs only the hashicorp/aws provider mirror.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/find-provider-mirror.sh
. "$root/scripts/lib/find-provider-mirror.sh"
if [ -z "${TRITON_OPS_PROVIDER_MIRROR:-}" ]; then
  echo "terraform-check: no hashicorp/aws provider mirror found; set TRITON_OPS_PROVIDER_MIRROR" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "${TRITON_OPS_PROVIDER_MIRROR}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# Each stack's .terraform goes to the scratch dir so the package tree stays clean.
terraform -chdir="$root/terraform" fmt -check -recursive
echo "terraform-check: fmt ok"
node "$root/scripts/terraform-docs.mjs" --check
echo "terraform-check: stack READMEs match their variables and outputs"
for dir in "$root"/terraform/stacks/*/; do
  stack="$(basename "$dir")"
  export TF_DATA_DIR="$work/$stack"
  terraform -chdir="$dir" init -backend=false -input=false -no-color >"$work/$stack-init.log" 2>&1 || {
    cat "$work/$stack-init.log" >&2
    exit 1
  }
  terraform -chdir="$dir" validate -no-color >/dev/null
  if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then
    out="$(terraform -chdir="$dir" test -no-color 2>&1)" || {
      echo "$out" >&2
      exit 1
    }
    echo "terraform-check: $stack: validate ok, $(echo "$out" | tail -n 1)"
  else
    echo "terraform-check: $stack: validate ok (no tests)"
  fi
  rm -f "$dir/.terraform.lock.hcl"
done
