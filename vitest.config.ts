import { defineConfig } from "vitest/config";

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
          // Each integration file starts its own emulator; two cores run at most two at once.
          testTimeout: 300_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
