import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classifyNotReady,
  classifyPullError,
  formatImageRef,
  parseDuration,
  parseFailedScheduling,
  parseImageRef,
  parseMinorVersion,
  parseTaintText,
} from "./parse.js";

describe("parseFailedScheduling", () => {
  it("reads the 1.27+ wording with untolerated taints, GPUs and the preemption tail", () => {
    const parsed = parseFailedScheduling(
      "0/3 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: true}, 2 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    expect(parsed).toEqual({
      totalNodes: 3,
      reasons: [
        { count: 1, kind: "taint", detail: "{nvidia.com/gpu: true}" },
        { count: 2, kind: "insufficient", detail: "nvidia.com/gpu" },
      ],
    });
  });

  it("keeps the older taint clause whole despite its comma", () => {
    const parsed = parseFailedScheduling(
      "0/3 nodes are available: 3 node(s) had taint {nvidia.com/gpu: true}, that the pod didn't tolerate.",
    );
    expect(parsed.reasons).toEqual([{ count: 3, kind: "taint", detail: "{nvidia.com/gpu: true}" }]);
  });

  it("reads selector, PVC, pod-limit, unschedulable and unknown clauses", () => {
    const parsed = parseFailedScheduling(
      "0/6 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 pod has unbound immediate PersistentVolumeClaims, 1 Too many pods, 1 node(s) were unschedulable, 1 Insufficient memory, 1 node(s) had volume node affinity conflict. preemption: not eligible",
    );
    expect(parsed.reasons.map((r) => r.kind)).toEqual([
      "selector",
      "pvc",
      "pod-limit",
      "unschedulable",
      "insufficient",
      "other",
    ]);
    expect(parsed.reasons[4]?.detail).toBe("memory");
  });

  it("reads the bare older PVC message and the no-nodes messages", () => {
    expect(parseFailedScheduling("pod has unbound immediate PersistentVolumeClaims").reasons[0]?.kind).toBe(
      "pvc",
    );
    expect(parseFailedScheduling("0/0 nodes are available.").totalNodes).toBe(0);
    expect(parseFailedScheduling("no nodes available to schedule pods").totalNodes).toBe(0);
    expect(
      parseFailedScheduling("0/2 nodes are available: 2 node(s) didn't match node selector.").reasons[0]
        ?.kind,
    ).toBe("selector");
  });

  it("recovers every generated clause with its count, whatever the mix and order", () => {
    const clause = fc.oneof(
      fc.record({
        kind: fc.constant("insufficient" as const),
        detail: fc.constantFrom("cpu", "memory", "nvidia.com/gpu", "ephemeral-storage"),
      }),
      fc.record({
        kind: fc.constant("taint" as const),
        detail: fc.constantFrom(
          "{nvidia.com/gpu: true}",
          "{node.kubernetes.io/not-ready: }",
          "{dedicated: infra}",
        ),
      }),
      fc.record({
        kind: fc.constant("selector" as const),
        detail: fc.constant("node(s) didn't match Pod's node affinity/selector"),
      }),
      fc.record({ kind: fc.constant("pod-limit" as const), detail: fc.constant("Too many pods") }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), clause, fc.boolean()), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.boolean(),
        (items, withPreemption) => {
          const text = items
            .map(([n, c, oldWording]) =>
              c.kind === "insufficient"
                ? `${n} Insufficient ${c.detail}`
                : c.kind === "taint"
                  ? oldWording
                    ? `${n} node(s) had taint ${c.detail}, that the pod didn't tolerate`
                    : `${n} node(s) had untolerated taint ${c.detail}`
                  : `${n} ${c.detail}`,
            )
            .join(", ");
          const total = items.reduce((s, [n]) => s + n, 0);
          const message = `0/${total} nodes are available: ${text}.${withPreemption ? ` preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.` : ""}`;
          const parsed = parseFailedScheduling(message);
          expect(parsed.totalNodes).toBe(total);
          expect(parsed.reasons.map((r) => [r.count, r.kind])).toEqual(items.map(([n, c]) => [n, c.kind]));
          for (const [i, [, c]] of items.entries()) {
            if (c.kind === "insufficient" || c.kind === "taint")
              expect(parsed.reasons[i]?.detail).toBe(c.detail);
          }
        },
      ),
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string(), (s) => Array.isArray(parseFailedScheduling(s).reasons)));
  });
});

describe("parseTaintText", () => {
  it("reads keys with and without values", () => {
    expect(parseTaintText("{nvidia.com/gpu: true}")).toEqual({ key: "nvidia.com/gpu", value: "true" });
    expect(parseTaintText("{node.kubernetes.io/not-ready: }")).toEqual({
      key: "node.kubernetes.io/not-ready",
      value: "",
    });
    expect(parseTaintText("nope")).toBeUndefined();
  });
});

describe("parseImageRef", () => {
  it("reads ECR references with tag and digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(
      parseImageRef(`123456789012.dkr.ecr.us-east-1.amazonaws.com/triton-dev-triton:24.08@${digest}`),
    ).toEqual({
      registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
      repository: "triton-dev-triton",
      tag: "24.08",
      digest,
      ecr: { accountId: "123456789012", region: "us-east-1" },
    });
  });

  it("normalises Docker Hub names and registry ports", () => {
    expect(parseImageRef("nginx")).toEqual({ registry: "docker.io", repository: "library/nginx" });
    expect(parseImageRef("localhost:5000/team/app:v1")).toMatchObject({
      registry: "localhost:5000",
      repository: "team/app",
      tag: "v1",
    });
    expect(parseImageRef("nvcr.io/nvidia/tritonserver:24.08-py3")?.ecr).toBeUndefined();
  });

  it("rejects invalid references", () => {
    for (const bad of ["", "Nginx:latest", "nginx:", "nginx@sha256:xyz", "a b", "repo//x", "repo:tag:more"]) {
      expect(parseImageRef(bad), bad).toBeUndefined();
    }
  });

  it("round-trips every generated valid reference", () => {
    const component = fc
      .stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/)
      .filter((s) => s.length > 0 && s.length < 30);
    const registry = fc.oneof(
      fc.constant(undefined),
      fc
        .tuple(
          fc.integer({ min: 100000000000, max: 999999999999 }),
          fc.constantFrom("us-east-1", "eu-west-2", "ap-south-1"),
        )
        .map(([a, r]) => `${a}.dkr.ecr.${r}.amazonaws.com`),
      fc.constantFrom("nvcr.io", "ghcr.io", "registry.k8s.io", "localhost:5000", "quay.io"),
    );
    const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined });
    const digest = fc.option(
      fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        registry,
        fc.array(component, { minLength: 1, maxLength: 3 }),
        tag,
        digest,
        (reg, parts, t, d) => {
          // Without a registry, a first component holding a dot would itself be read as a host (as docker does).
          fc.pre(reg !== undefined || !parts[0]?.includes("."));
          const text = `${reg ? `${reg}/` : ""}${parts.join("/")}${t !== undefined ? `:${t}` : ""}${d !== undefined ? `@${d}` : ""}`;
          const ref = parseImageRef(text);
          expect(ref).toBeDefined();
          if (!ref) return;
          expect(ref.tag).toBe(t);
          expect(ref.digest).toBe(d);
          expect(ref.ecr !== undefined).toBe(reg?.includes(".dkr.ecr.") === true);
          expect(parseImageRef(formatImageRef(ref))).toEqual(ref);
        },
      ),
    );
  });
});

describe("classifyPullError", () => {
  const cases: Array<[string | undefined, string, string]> = [
    [
      "ErrImagePull",
      'failed to pull and unpack image "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v9": failed to resolve reference "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v9": 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v9: not found',
      "not-found",
    ],
    [
      "ErrImagePull",
      'rpc error: code = Unknown desc = failed to pull and unpack image "x": failed to resolve reference "x": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
      "unauthorized",
    ],
    [
      "ErrImagePull",
      'failed to resolve reference "x": unexpected status from HEAD request to https://x/v2/a/manifests/b: 401 Unauthorized',
      "unauthorized",
    ],
    [
      "ErrImagePull",
      'failed to resolve reference "x": unexpected status from HEAD request to https://x/v2/a/manifests/b: 403 Forbidden',
      "unauthorized",
    ],
    [
      "ErrImagePull",
      "Error response from daemon: Get https://x/v2/: no basic auth credentials",
      "unauthorized",
    ],
    [
      "ErrImagePull",
      "failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:abc: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.",
      "rate-limited",
    ],
    [
      "InvalidImageName",
      'Failed to apply default image tag "Nginx:": couldn\'t parse image reference "Nginx:": invalid reference format',
      "invalid-name",
    ],
    [
      "ErrImagePull",
      "The repository with name 'app' does not exist in the registry with id '123456789012'",
      "repo-missing",
    ],
    ["ErrImagePull", "manifest unknown: requested image not found", "tag-missing"],
    ["ErrImagePull", "dial tcp 52.1.2.3:443: i/o timeout", "other"],
  ];
  it.each(cases)("%s: %s -> %s", (reason, message, expected) => {
    expect(classifyPullError(reason, message)).toBe(expected);
  });
});

describe("node conditions and versions", () => {
  it("classifies Ready reasons from 1.28-1.33", () => {
    expect(classifyNotReady("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")).toBe(
      "kubelet",
    );
    expect(
      classifyNotReady(
        "False",
        "KubeletNotReady",
        "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
      ),
    ).toBe("cni");
    expect(
      classifyNotReady(
        "False",
        "KubeletNotReady",
        "[container runtime is down, PLEG is not healthy: pleg was last seen active 3m0s ago]",
      ),
    ).toBe("runtime");
    expect(
      classifyNotReady(
        "False",
        "KubeletNotReady",
        "container runtime status check may not have completed yet",
      ),
    ).toBe("runtime");
    expect(classifyNotReady("False", "SomethingNew", "odd")).toBe("other");
  });

  it("reads kubelet and server versions", () => {
    expect(parseMinorVersion("v1.31.4-eks-2d5f260")).toEqual({ major: 1, minor: 31 });
    expect(parseMinorVersion("1.28")).toEqual({ major: 1, minor: 28 });
    expect(parseMinorVersion("garbage")).toBeUndefined();
  });

  it("reads durations and rejects malformed ones", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("15m")).toBe(900_000);
    expect(parseDuration("1x")).toBeUndefined();
    expect(parseDuration("0s")).toBeUndefined();
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => parseDuration(`${n}m`) === n * 60_000));
  });
});
