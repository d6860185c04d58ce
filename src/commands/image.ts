import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions } from "./shared.js";

export function imageCommand(ctx: CliContext): Command {
  const image = new Command("image").description("the Triton image in the project's ECR repository");
  image
    .command("push")
    .description("log in to ECR and push a local image under TAG (refuses a tag that already exists)")
    .requiredOption(
      "--tag <tag>",
      "tag to push as, e.g. the commit SHA (the repository's tags are immutable)",
    )
    .option("--image <local>", "local image to push (default: <repository name>:<tag>)")
    .option("--json", "print the pushed image as JSON")
    .action(async (flags: { tag: string; image?: string; json?: boolean }, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ validateTag, runImagePush, formatImagePush }, { createRuntime }, { createDockerCli }] =
        await Promise.all([
          import("../ci/image-push.js"),
          import("../runtime.js"),
          import("../docker/docker.js"),
        ]);
      // Bad input is refused before the sandbox or AWS is touched.
      validateTag(flags.tag);
      const rt = await createRuntime(ctx, command, io);
      const result = await runImagePush(
        rt,
        { tag: flags.tag, ...(flags.image !== undefined ? { image: flags.image } : {}) },
        { docker: createDockerCli(rt.env) },
      );
      io.result(result, () => formatImagePush(result, io));
    });
  return image;
}
