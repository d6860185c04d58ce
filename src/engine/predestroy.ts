import { deleteAllImages, listImageIds } from "../aws/ecr-images.js";
import { AbortError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { outputOf, type ProjectOutputs, type TerraformStage } from "../stages.js";

/**
 * What must go before a stack's destroy can succeed, removed after the same confirmation as the
 * destroy itself: the images in the ECR repository (a repository with images cannot be deleted while
 * force_delete is off, which it is so that no image is ever lost by accident).
 */
export function beforeDestroy(rt: Runtime) {
  return async (
    stage: TerraformStage,
    outputs: ProjectOutputs,
    confirm: (lines: string[]) => Promise<boolean>,
  ): Promise<void> => {
    if (stage !== "ecr") return;
    const repository = outputOf<string>(outputs, "ecr", "repository_name");
    if (!repository) return;
    const images = await listImageIds(rt.aws, repository);
    if (images.length === 0) return;
    const tags = images.map((i) => i.imageTag).filter(Boolean);
    const approved = await confirm([
      `ecr: repository ${repository} holds ${images.length} image(s)${tags.length ? ` (${tags.slice(0, 5).join(", ")}${tags.length > 5 ? ", ..." : ""})` : ""}; they are deleted first.`,
    ]);
    if (!approved)
      throw new AbortError(`Kept ${repository} and its images; the ecr stage was not destroyed.`);
    const deleted = await deleteAllImages(rt.aws, repository);
    rt.io.info(`ecr: deleted ${deleted} image(s) from ${repository}.`);
  };
}
