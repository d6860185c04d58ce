import path from "node:path";
import { stringify } from "yaml";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import { checkManifests, loadTemplates, renderManifests, renderValues } from "../k8s/render.js";
import { GRAFANA_SECRET } from "../k8s/secret-names.js";
import type { KubernetesObject } from "../k8s/types.js";
import type { Runtime } from "../runtime.js";
import { readAllOutputs } from "../terraform/state.js";

export interface RenderCommandResult {
  objects: number;
  /** Files written with --out (relative to it), in apply order. */
  files: string[];
  outDir: string | undefined;
  warnings: string[];
  note: string;
  /** The manifests as multi-document YAML when not written to files. */
  yaml?: string;
}

function toYaml(objects: KubernetesObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

export async function runRender(rt: Runtime, options: { outDir?: string }): Promise<RenderCommandResult> {
  const [templates, outputs] = await Promise.all([loadTemplates(), readAllOutputs(rt)]);
  const { values, warnings } = renderValues(rt.config, outputs);
  const rendered = renderManifests(templates, values);
  const problems = checkManifests(rendered.objects);
  if (problems.length > 0) {
    throw new UserError(`Rendered manifests are invalid: ${problems.join("; ")}`, { code: "render.invalid" });
  }
  const note = `Secret ${GRAFANA_SECRET.namespace}/${GRAFANA_SECRET.name} (Grafana's admin password) is made when the workloads stage applies, never written here.`;
  if (!options.outDir) {
    return {
      objects: rendered.objects.length,
      files: [],
      outDir: undefined,
      warnings,
      note,
      yaml: toYaml(rendered.objects),
    };
  }
  const outDir = path.resolve(rt.ctx.cwd, options.outDir);
  const byFile = new Map<string, KubernetesObject[]>();
  rendered.objects.forEach((object, i) => {
    const file = rendered.files[i]!;
    byFile.set(file, [...(byFile.get(file) ?? []), object]);
  });
  const files = [...byFile.keys()];
  await Promise.all(files.map((file) => writeFileAtomic(path.join(outDir, file), toYaml(byFile.get(file)!))));
  return { objects: rendered.objects.length, files, outDir, warnings, note };
}
