# Sourced: sets TRITON_OPS_PROVIDER_MIRROR to the machine's offline Terraform provider mirror
# (a directory laid out as registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/), unless already set.
if [ -z "${TRITON_OPS_PROVIDER_MIRROR:-}" ]; then
  _provider=$(find /opt /usr/local /usr/share /root /home -name 'terraform-provider-aws_*' -type f 2>/dev/null | head -n 1 || true)
  if [ -z "$_provider" ]; then
    _provider=$(find / -xdev -name 'terraform-provider-aws_*' -type f -not -path '/proc/*' 2>/dev/null | head -n 1 || true)
  fi
  if [ -n "$_provider" ]; then
    # .../registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5
    TRITON_OPS_PROVIDER_MIRROR=$(cd "$(dirname "$_provider")/../../../../.." && pwd)
    export TRITON_OPS_PROVIDER_MIRROR
  fi
  unset _provider
fi
