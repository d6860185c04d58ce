import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { messageOf, UserError } from "../errors.js";
import { createKubeClient, type KubeClientOptions } from "./client.js";
import type { KubeClient } from "./types.js";

export interface KubeTargetOptions {
  /** --kubeconfig: one file, which must exist. */
  kubeconfig?: string;
  /** --context; the kubeconfig's current-context otherwise. */
  context?: string;
  env: NodeJS.ProcessEnv;
  /** Relative --kubeconfig paths resolve against this. */
  cwd?: string;
  client?: KubeClientOptions;
}

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  /** The files read, in KUBECONFIG order. */
  files: string[];
  context: string;
}

/** The kubeconfig files in effect: --kubeconfig, else KUBECONFIG (path-list), else ~/.kube/config. */
export function kubeconfigFiles(options: Pick<KubeTargetOptions, "kubeconfig" | "env" | "cwd">): string[] {
  if (options.kubeconfig) return [path.resolve(options.cwd ?? process.cwd(), options.kubeconfig)];
  const fromEnv = options.env.KUBECONFIG?.split(path.delimiter).filter((p) => p !== "");
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  const home = options.env.HOME ?? os.homedir();
  return [path.join(home, ".kube", "config")];
}

/** Reads the kubeconfig and selects the context; bad input is one line and exit 2. */
export function loadKubeConfig(options: KubeTargetOptions): LoadedKubeConfig {
  const files = kubeconfigFiles(options);
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) {
    const where = options.kubeconfig ? `--kubeconfig ${files[0]}` : files.join(path.delimiter);
    throw new UserError(`No kubeconfig found (${where}).`, {
      code: "kube.config-missing",
      suggestion: "Write one with `triton-ops kubeconfig --write`, or pass --kubeconfig FILE.",
    });
  }
  const kubeConfig = new KubeConfig();
  try {
    if (present.length === 1) {
      kubeConfig.loadFromFile(present[0]!);
    } else {
      // kubectl's merge: the first file to define a name wins; current-context from the first that sets one.
      const loaded = present.map((file) => {
        const one = new KubeConfig();
        one.loadFromFile(file);
        return one;
      });
      const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
        const seen = new Map<string, T>();
        for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
        return [...seen.values()];
      };
      kubeConfig.loadFromOptions({
        clusters: firstByName(loaded.map((k) => k.getClusters())),
        users: firstByName(loaded.map((k) => k.getUsers())),
        contexts: firstByName(loaded.map((k) => k.getContexts())),
        currentContext: loaded.find((k) => k.getCurrentContext())?.getCurrentContext() ?? "",
      });
    }
  } catch (error) {
    throw new UserError(`Cannot read kubeconfig ${present.join(path.delimiter)}: ${messageOf(error)}`, {
      code: "kube.config-invalid",
      suggestion: "Fix the file, or regenerate it with `triton-ops kubeconfig --write`.",
    });
  }
  const context = options.context ?? kubeConfig.getCurrentContext();
  if (!context) {
    throw new UserError(`Kubeconfig ${present.join(path.delimiter)} has no current context.`, {
      code: "kube.context-missing",
      suggestion: "Pass --context NAME, or run `kubectl config use-context NAME`.",
    });
  }
  if (!kubeConfig.getContextObject(context)) {
    const known = kubeConfig.getContexts().map((c) => c.name);
    throw new UserError(
      `Context ${context} is not in kubeconfig ${present.join(path.delimiter)} (it has: ${known.join(", ") || "none"}).`,
      {
        code: "kube.context-missing",
        suggestion: "Pick one of those with --context, or write it with `triton-ops kubeconfig --write`.",
      },
    );
  }
  kubeConfig.setCurrentContext(context);
  if (!kubeConfig.getCurrentCluster()) {
    throw new UserError(`Context ${context} names a cluster the kubeconfig does not define.`, {
      code: "kube.config-invalid",
      suggestion: "Regenerate it with `triton-ops kubeconfig --write`.",
    });
  }
  return { kubeConfig, files: present, context };
}

/** The Kubernetes client for --kubeconfig/--context/KUBECONFIG. */
export function loadKubeTarget(options: KubeTargetOptions): KubeClient {
  return createKubeClient(loadKubeConfig(options).kubeConfig, options.client);
}
