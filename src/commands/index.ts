import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { ciCommand } from "./ci.js";
import { cleanupCommand } from "./cleanup.js";
import { doctorCommand } from "./doctor.js";
import { downCommand } from "./down.js";
import { imageCommand } from "./image.js";
import { importCommand } from "./import.js";
import { initCommand } from "./init.js";
import { kubeconfigCommand } from "./kubeconfig.js";
import { loadtestCommand } from "./loadtest.js";
import { modelsCommand } from "./models.js";
import { orphanScanCommand } from "./orphan-scan.js";
import { planCommand } from "./plan.js";
import { portForwardCommand } from "./port-forward.js";
import { renderCommand } from "./render.js";
import { sandboxCommand } from "./sandbox.js";
import { scaleCommand } from "./scale.js";
import { statusCommand } from "./status.js";
import { tokenCommand } from "./token.js";
import { upCommand } from "./up.js";
import { upgradeCommand } from "./upgrade.js";
import { verifyCommand } from "./verify.js";

/** Every command, in the order `--help` lists them. Each file loads its heavy code lazily. */
export const commandFactories: Array<(ctx: CliContext) => Command> = [
  initCommand,
  planCommand,
  upCommand,
  upgradeCommand,
  scaleCommand,
  statusCommand,
  verifyCommand,
  modelsCommand,
  doctorCommand,
  downCommand,
  importCommand,
  orphanScanCommand,
  cleanupCommand,
  sandboxCommand,
  renderCommand,
  kubeconfigCommand,
  portForwardCommand,
  loadtestCommand,
  tokenCommand,
  ciCommand,
  imageCommand,
];
