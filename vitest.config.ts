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
          exclude: [...KILLED, "node_modules/**"],
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
