import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkLayers, layerOf, productSources, type Violation } from "./support/layers.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "src");

/**
 * Upward imports still waiting for their fix (issue 12: the scan and ownership work moves the types
 * aws/ needs out of orphans/). Delete each entry when its import goes; the test below fails on an
 * entry that no longer matches anything, so the list can only shrink.
 */
const KNOWN_UPWARD_IMPORTS_TO_REMOVE: readonly string[] = [];

const key = (v: Violation) => `${v.file} -> ${v.imports}`;

describe("layers only point down, and only src/aws/ touches the AWS SDK", () => {
  const violations = checkLayers(productSources(SRC));

  it("finds no upward import and no @aws-sdk import outside src/aws/", () => {
    const unexpected = violations.filter((v) => !KNOWN_UPWARD_IMPORTS_TO_REMOVE.includes(key(v)));
    expect(unexpected.map((v) => v.message)).toEqual([]);
  });

  it("has no stale entry in the allowlist", () => {
    const found = new Set(violations.map(key));
    expect(KNOWN_UPWARD_IMPORTS_TO_REMOVE.filter((k) => !found.has(k))).toEqual([]);
  });

  it("places every product module in a layer", () => {
    for (const file of productSources(SRC)) expect(layerOf(file.path), file.path).toBeDefined();
  });
});

describe("the layer checker", () => {
  it("flags a use case importing a command, and an aws module importing a use case's types", () => {
    const found = checkLayers([
      { path: "engine/up.ts", text: `import { setExitCode } from "../commands/shared.js";` },
      { path: "aws/facts.ts", text: `import type { Fact } from "../doctor/snapshot.js";` },
      { path: "k8s/kubeconfig.ts", text: `export type { Target } from "../targets.js";` },
    ]);
    expect(found.map((v) => [v.rule, key(v)])).toEqual([
      ["upward-import", "engine/up.ts -> commands/shared.ts"],
      ["upward-import", "aws/facts.ts -> doctor/snapshot.ts"],
      ["upward-import", "k8s/kubeconfig.ts -> targets.ts"],
    ]);
  });

  it("allows imports within a layer and downward", () => {
    expect(
      checkLayers([
        { path: "commands/up.ts", text: `import { runUp } from "../engine/up.js";` },
        { path: "engine/up.ts", text: `import { a } from "./plan.js"; import { b } from "../errors.js";` },
        { path: "aws/eks.ts", text: `import { EKSClient } from "@aws-sdk/client-eks";` },
      ]),
    ).toEqual([]);
  });

  it("flags the AWS SDK outside src/aws/, static, dynamic, required or named in a string", () => {
    const found = checkLayers([
      { path: "verify/verify.ts", text: `const m = await import("@aws-sdk/client-ecr");` },
      { path: "engine/postcheck.ts", text: `import { EC2Client } from "@aws-sdk/client-ec2";` },
      { path: "orphans/cleanup.ts", text: `const iam = require("@aws-sdk/client-iam");` },
      {
        path: "k8s/token.ts",
        text: `const load = createRequire(import.meta.url); load("@aws-sdk/client-sts");`,
      },
    ]);
    expect(found.map((v) => [v.rule, key(v)])).toEqual([
      ["aws-sdk-outside-boundary", "verify/verify.ts -> @aws-sdk/client-ecr"],
      ["aws-sdk-outside-boundary", "engine/postcheck.ts -> @aws-sdk/client-ec2"],
      ["aws-sdk-outside-boundary", "orphans/cleanup.ts -> @aws-sdk/client-iam"],
      ["aws-sdk-outside-boundary", "k8s/token.ts -> @aws-sdk/client-sts"],
    ]);
  });

  it("flags a module that belongs to no layer", () => {
    expect(checkLayers([{ path: "widgets/x.ts", text: "" }]).map((v) => v.rule)).toEqual(["no-layer"]);
  });
});
