# Sourced: the Node.js LTS that CI tests beside the machine's own Node, installed from the npm registry.
# The next LTS is a one-line change here (src/node-support.test.ts checks it is the schedule's active LTS).
NODE_LTS_VERSION=26.12.1

# Prints the bin directory of that Node, installing it into the user's cache directory first if needed.
# The npm registry's node-linux-<arch> packages ship the official binaries; nothing else is downloaded.
node_lts_bin() {
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "node-lts: no node-linux package for $(uname -m)" >&2; return 1 ;;
  esac
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/triton-ops/node/${NODE_LTS_VERSION}-linux-${arch}"
  local bin="$dir/node_modules/node-linux-${arch}/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v${NODE_LTS_VERSION}" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node-linux-${arch}@${NODE_LTS_VERSION}" >&2 || return 1
  fi
  echo "$bin"
}
