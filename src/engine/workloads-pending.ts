import type { WorkloadsDriver } from "./up.js";

/** Until the Kubernetes side is built in, the workloads stage says so and counts as skipped. */
export const pendingWorkloads: WorkloadsDriver = {
  async up() {
    return { status: "skipped", reason: "the workloads stage is not part of this build yet", objects: 0 };
  },
  async down() {
    return { status: "skipped", reason: "the workloads stage is not part of this build yet", objects: 0 };
  },
};
