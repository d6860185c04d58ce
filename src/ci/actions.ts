/**
 * The only actions the generated workflows use: GitHub's and AWS's own, each pinned to the full commit of a
 * release tag (a tag can be moved; a commit cannot), with the release in a comment for people and Dependabot.
 * Everything else in the workflows is the runner's own tools (the AWS CLI, kubectl, docker, npm).
 *
 * As of 2026-12-01. How each commit was found (github.com itself was not reachable from where this was
 * written, so each is the commit several unrelated public workflows and pin tables agree on for the tag):
 * - actions/checkout v6.0.2: de0fac2e…, in many workflows as `# v6.0.2`.
 * - actions/setup-node v6.2.0: 6044e13b…, likewise.
 * - aws-actions/configure-aws-credentials v6.0.0 (node24): 8df58475…, in pin tables and in Dependabot's
 *   v5...v6 commit list as the tip of the v6 tag. Later v6 patch releases exist (6.2.2, 2026-07-07) whose
 *   commits could not be confirmed here; Dependabot moves the pin forward within the major.
 */
export interface PinnedAction {
  uses: string;
  commit: string;
  release: string;
}

export const PINNED_ACTIONS = {
  checkout: {
    uses: "actions/checkout",
    commit: "de0fac2e4500dabe0009e67214ff5f5447ce83dd",
    release: "v6.0.2",
  },
  setupNode: {
    uses: "actions/setup-node",
    commit: "6044e13b5dc448c55e2357c09f80417699197238",
    release: "v6.2.0",
  },
  configureAwsCredentials: {
    uses: "aws-actions/configure-aws-credentials",
    commit: "8df5847569e6427dd6c4fb1cf565c83acfa8afa7",
    release: "v6.0.0",
  },
} as const satisfies Record<string, PinnedAction>;

/** `OWNER/NAME@COMMIT # RELEASE`, as a `uses:` value. */
export function usesLine(action: PinnedAction): string {
  return `${action.uses}@${action.commit} # ${action.release}`;
}

/** Node.js the workflows run triton-ops on: the active LTS line (Node 20 reached end of life 2026-04-30). */
export const WORKFLOW_NODE_VERSION = "24";

/** Terraform the plan workflow downloads from HashiCorp's releases (the stacks require < 1.12). */
export const WORKFLOW_TERRAFORM_VERSION = "1.11.4";
