// Shared benchmark helpers: alternate subject and reference in the same run, several repetitions,
// report medians, spread and the ratio against a target. No timed assertions live in tests.
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The offline Terraform provider mirror, found as .ci/run and scripts/demo.sh find it: by sourcing
 * scripts/lib/find-provider-mirror.sh (TRITON_OPS_PROVIDER_MIRROR when set, else a search of the machine).
 * Exported into this process's environment, so the CLI runs a suite starts, and the LTS Node's run, see it.
 */
export function providerMirror() {
  if (!process.env.TRITON_OPS_PROVIDER_MIRROR) {
    const script = path.join(root, "scripts", "lib", "find-provider-mirror.sh");
    const found = execFileSync(
      "bash",
      ["-c", '. "$1"; printf %s "$TRITON_OPS_PROVIDER_MIRROR"', "bash", script],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    if (!found) {
      throw new Error(
        "no offline hashicorp/aws provider mirror found by scripts/lib/find-provider-mirror.sh; set TRITON_OPS_PROVIDER_MIRROR",
      );
    }
    process.env.TRITON_OPS_PROVIDER_MIRROR = found;
  }
  return process.env.TRITON_OPS_PROVIDER_MIRROR;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Spread as the interquartile range relative to the median, in percent. */
export function spreadPercent(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
  const m = median(values);
  return m === 0 ? 0 : ((q(0.75) - q(0.25)) / m) * 100;
}

/**
 * Runs a command to completion; resolves with wall time in ms and, when `measureMemory` is set, the child's
 * peak RSS in MB and its CPU time (user + system, its own children's included) in ms, both read through
 * /usr/bin/time. Rejects on a non-zero exit unless allowed.
 */
export function timeCommand(
  command,
  args,
  {
    env = process.env,
    cwd = process.cwd(),
    okCodes = [0],
    measureMemory = false,
    keepStdoutTail = false,
  } = {},
) {
  return new Promise((resolve, reject) => {
    const useTime = measureMemory && process.platform === "linux";
    const file = useTime ? "/usr/bin/time" : command;
    const argv = useTime ? ["-f", "__MAXRSS_KB=%M __CPU_S=%U+%S", command, ...args] : args;
    const started = process.hrtime.bigint();
    // stdout is read only where asked (setup steps, whose summary such as up's table goes there), for a
    // failure's message: reading a timed command's output would charge its reading to the measurement.
    const child = spawn(file, argv, {
      env,
      cwd,
      stdio: ["ignore", keepStdoutTail ? "pipe" : "ignore", "pipe"],
    });
    let stderr = "";
    let stdoutTail = "";
    child.stdout?.on("data", (d) => {
      stdoutTail = (stdoutTail + d.toString()).slice(-1500);
    });
    child.stderr.on("data", (d) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!okCodes.includes(code)) {
        // The last line first: the table shows an error's first line, and a cut-off tail of stderr can begin
        // with a preflight warning where the failure itself (a terraform init) came after it.
        const last = stderr.trim().split("\n").at(-1) ?? "";
        reject(
          new Error(
            `${command} ${args.join(" ")} exited ${code}: ${last}\n${stderr.slice(-3000)}${keepStdoutTail ? `\nstdout: ${stdoutTail}` : ""}`,
          ),
        );
        return;
      }
      const rss = /__MAXRSS_KB=(\d+)/.exec(stderr);
      const cpu = /__CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
      resolve({
        ms,
        peakMb: rss ? Number(rss[1]) / 1024 : undefined,
        cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined,
      });
    });
  });
}

/**
 * Alternates subject and reference `repetitions` times (after one warm-up each, unless `warmup` is false)
 * and compares medians. Each call gets the repetition's index. `target` is the highest acceptable
 * subject/reference ratio. Every run's time is kept (`subjectRunsMs`, `referenceRunsMs`, in run order), and
 * where both sides measured CPU, the medians of that too (`subjectCpuMs`, `referenceCpuMs`, `cpuRatio`).
 */
export async function compare({ name, subject, reference, repetitions = 7, target, note, warmup = true }) {
  if (warmup) {
    await subject(-1);
    await reference(-1);
  }
  const s = [];
  const r = [];
  const mem = [];
  const sCpu = [];
  const rCpu = [];
  for (let i = 0; i < repetitions; i++) {
    const order = i % 2 === 0 ? [subject, reference] : [reference, subject];
    for (const fn of order) {
      const result = await fn(i);
      if (fn === subject) {
        s.push(result.ms);
        if (result.peakMb !== undefined) mem.push(result.peakMb);
        if (result.cpuMs !== undefined) sCpu.push(result.cpuMs);
      } else {
        r.push(result.ms);
        if (result.cpuMs !== undefined) rCpu.push(result.cpuMs);
      }
    }
  }
  const ratio = median(s) / median(r);
  return {
    name,
    subjectMs: Math.round(median(s)),
    subjectSpreadPct: Math.round(spreadPercent(s)),
    referenceMs: Math.round(median(r)),
    referenceSpreadPct: Math.round(spreadPercent(r)),
    ratio: Number(ratio.toFixed(3)),
    target,
    ok: ratio <= target,
    ...(mem.length ? { peakMb: Math.round(Math.max(...mem)) } : {}),
    ...(sCpu.length && rCpu.length
      ? {
          subjectCpuMs: Math.round(median(sCpu)),
          subjectCpuSpreadPct: Math.round(spreadPercent(sCpu)),
          referenceCpuMs: Math.round(median(rCpu)),
          referenceCpuSpreadPct: Math.round(spreadPercent(rCpu)),
          cpuRatio: Number((median(sCpu) / median(rCpu)).toFixed(3)),
        }
      : {}),
    subjectRunsMs: s.map(Math.round),
    referenceRunsMs: r.map(Math.round),
    repetitions,
    ...(note ? { note } : {}),
  };
}
