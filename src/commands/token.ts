import { Command } from "commander";
import type { CliContext } from "../context.js";
import { globalOptions } from "./shared.js";

export function tokenCommand(ctx: CliContext): Command {
  return new Command("token")
    .description(
      "print an EKS bearer token as an ExecCredential, like `aws eks get-token` (kubeconfig exec plugin)",
    )
    .requiredOption("--cluster <name>", "EKS cluster name")
    .action(async (flags: { cluster: string }, command: Command) => {
      const g = globalOptions(command);
      const [{ runToken }, { UserError }] = await Promise.all([
        import("../k8s/token.js"),
        import("../errors.js"),
      ]);
      const region = g.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
      if (!region) {
        throw new UserError("No AWS region for the token.", {
          code: "token.no-region",
          suggestion: "Pass --region REGION (the cluster's region) or set AWS_REGION.",
        });
      }
      const credential = await runToken({
        cluster: flags.cluster,
        region,
        // On the sandbox the emulator's dummy credentials sign, as for every other sandbox call.
        aws: {
          region,
          env: g.sandbox
            ? { ...ctx.env, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" }
            : ctx.env,
          sandbox: g.sandbox === true,
        },
      });
      // The credential is this command's whole output, read by kubectl or the client library.
      ctx.stdout.write(`${JSON.stringify(credential)}\n`);
    });
}
