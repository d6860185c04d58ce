import { defineConfig } from "vitest/config";

/**
 * The suites that kill triton-ops, Terraform or the emulator mid-run and wait for real Terraform to
 * finish what it began: minutes each. They are their own project, `npm run test:reliability`, which CI
 * runs after `npm test`, so the test command stays in its time budget.
 */
const KILLED = [
  "test/reliability/sigkill.integration.test.ts",
  "test/reliability/emulator-killed.integration.test.ts",
];

/**
 * `.ci/run`'s second Node.js runs the integration tests under src/ only (TRITON_OPS_TESTS=src): the
 * end-to-end suites under test/ run once, on the first. A project's own `exclude` takes the place of
 * the CLI's `--exclude`, so the choice is made here.
 */
const SRC_ONLY = process.env.TRITON_OPS_TESTS === "src" ? ["test/**"] : [];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // @actions/workflow-parser imports its schema JSON without an import attribute, which Node 20
          // refuses; inlined, Vite loads that JSON itself.
          server: { deps: { inline: ["@actions/workflow-parser"] } },
          sequence: { groupOrder: 0 },
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          server: { deps: { inline: ["@actions/workflow-parser"] } },
          sequence: { groupOrder: 1 },
          include: ["src/**/*.integration.test.ts", "test/**/*.integration.test.ts"],
          exclude: [...KILLED, ...SRC_ONLY, "node_modules/**"],
          // Each integration file starts its own emulator; two cores run at most two at once.
          testTimeout: 300_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "reliability",
          sequence: { groupOrder: 2 },
          include: KILLED,
          testTimeout: 900_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
