// `triton-ops --help` and `--version` start within 2x of `node -e 0`.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, timeCommand } from "./lib.mjs";

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "triton-ops.js");

export async function run({ repetitions = 15 } = {}) {
  const reference = () => timeCommand(process.execPath, ["-e", "0"]);
  return [
    await compare({
      name: "startup: triton-ops --version vs node -e 0",
      subject: () => timeCommand(process.execPath, [bin, "--version"]),
      reference,
      repetitions,
      target: 2,
    }),
    await compare({
      name: "startup: triton-ops --help vs node -e 0",
      subject: () => timeCommand(process.execPath, [bin, "--help"]),
      reference,
      repetitions,
      target: 2,
    }),
  ];
}
