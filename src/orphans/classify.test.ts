import { describe, expect, it } from "vitest";
import type { StackState } from "../terraform/state.js";
import { classify, importHint, inventoryScope, stateIdentifiers, unreadableCounts } from "./classify.js";
import type { FoundResource } from "./types.js";

const project = { name: "acme", environment: "dev" };
const r = (over: Partial<FoundResource> & Pick<FoundResource, "type" | "id">): FoundResource => ({
  name: over.id,
  region: "us-east-1",
  tags: {},
  ...over,
});
const state = (
  ...resources: Array<{ address: string; type: string; id: string; arn?: string }>
): StackState => ({
  outputs: {},
  serial: 1,
  modifiedAt: undefined,
  resources: resources.map((x) => ({ ...x, name: x.address.split(".")[1] ?? "", attributes: {} })),
});

describe("classify applies the one ownership rule", () => {
  it("lists project-tagged resources with foreign names and drops foreign-tagged ones with our prefix", () => {
    const tags = { ManagedBy: "triton-ops", Project: "acme", Environment: "dev" };
    const out = classify(
      [
        r({ type: "iam-role", id: "triton-mlops-github-actions-oidc-role", tags }),
        r({ type: "ecr-repository", id: "models-cache", tags }),
        r({ type: "iam-role", id: "acme-dev-x", tags: { Project: "acme", Environment: "prod" } }),
        r({ type: "ecr-repository", id: "acme-dev-y", tags: { ManagedBy: "triton-ops", Project: "zeta" } }),
      ],
      project,
      {},
    );
    expect(out.map((x) => [x.id, x.class, x.reason])).toEqual([
      ["triton-mlops-github-actions-oidc-role", "orphan", "tagged for the project, in no state"],
      ["models-cache", "orphan", "tagged for the project, in no state"],
    ]);
  });

  it("lists an unreadable resource named for the project as unknown, never as an orphan; counts the rest", () => {
    const found = [
      r({ type: "iam-role", id: "acme-dev-locked", tagsUnreadable: "AccessDenied" }),
      r({ type: "iam-role", id: "team-locked", tagsUnreadable: "AccessDenied" }),
      r({ type: "iam-role", id: "acme-dev-eks-cluster", tagsUnreadable: "AccessDenied" }),
    ];
    const out = classify(found, project, {
      iam: state({ address: "aws_iam_role.cluster", type: "aws_iam_role", id: "acme-dev-eks-cluster" }),
    });
    expect(out.map((x) => [x.id, x.class, x.action ?? null])).toEqual([
      ["acme-dev-locked", "unknown", null],
      ["acme-dev-eks-cluster", "managed", null],
    ]);
    expect(out[0]?.reason).toBe("named for the project, but its tags could not be read (AccessDenied)");
    expect(unreadableCounts(found, out)).toEqual({ "iam-role": 1 });
  });
});
describe("classify", () => {
  it("drops what is not the project's and classes the rest against every state", () => {
    const found = [
      r({ type: "iam-role", id: "acme-dev-eks-cluster" }),
      r({ type: "iam-role", id: "acme-dev-eks-node" }),
      r({ type: "iam-role", id: "someone-else" }),
      r({ type: "vpc", id: "vpc-1", name: "acme-dev" }),
      r({
        type: "iam-oidc-provider",
        id: "arn:aws:iam::1:oidc-provider/x",
        arn: "arn:aws:iam::1:oidc-provider/x",
        tags: { ManagedBy: "triton-ops", Project: "acme" },
      }),
    ];
    const out = classify(found, project, {
      iam: state({ address: "aws_iam_role.cluster", type: "aws_iam_role", id: "acme-dev-eks-cluster" }),
      eks: state({
        address: "aws_iam_openid_connect_provider.this",
        type: "aws_iam_openid_connect_provider",
        id: "arn:aws:iam::1:oidc-provider/x",
      }),
    });
    expect(out.map((x) => [x.id, x.class, x.action])).toEqual([
      ["acme-dev-eks-cluster", "managed", undefined],
      ["acme-dev-eks-node", "orphan", "adopt"],
      ["vpc-1", "orphan", "delete"],
      ["arn:aws:iam::1:oidc-provider/x", "managed", undefined],
    ]);
    expect(out[1]?.import).toEqual({ stage: "iam", address: "aws_iam_role.node", id: "acme-dev-eks-node" });
  });

  it("makes what a gone cluster left a leftover, and what a live cluster owns follow the cluster's class", () => {
    const owned = { "kubernetes.io/cluster/acme-dev": "owned" };
    const volume = r({ type: "ebs-volume", id: "vol-1", tags: owned, sizeGb: 10, volumeType: "gp3" });
    const logs = r({ type: "log-group", id: "/aws/eks/acme-dev/cluster" });
    const gone = classify([volume, logs], project, {});
    expect(gone.map((x) => [x.id, x.class, x.action])).toEqual([
      ["vol-1", "leftover", "delete"],
      ["/aws/eks/acme-dev/cluster", "leftover", "delete"],
    ]);
    expect(gone[0]?.monthlyCost).toBe(0.8);

    const cluster = r({ type: "eks-cluster", id: "acme-dev" });
    const live = classify([cluster, volume, logs], project, {
      eks: state({ address: "aws_eks_cluster.this", type: "aws_eks_cluster", id: "acme-dev" }),
    });
    expect(live.map((x) => [x.id, x.class])).toEqual([
      ["acme-dev", "managed"],
      ["vol-1", "managed"],
      ["/aws/eks/acme-dev/cluster", "orphan"],
    ]);
    const lost = classify([cluster, volume], project, {});
    expect(lost.map((x) => [x.id, x.class])).toEqual([
      ["acme-dev", "orphan"],
      ["vol-1", "orphan"],
    ]);
  });

  it("collects ids and ARNs from every stack", () => {
    const ids = stateIdentifiers({
      vpc: state({ address: "aws_vpc.this", type: "aws_vpc", id: "vpc-1" }),
      ecr: state({
        address: "aws_ecr_repository.this",
        type: "aws_ecr_repository",
        id: "acme-dev-triton",
        arn: "arn:repo",
      }),
    });
    expect([...ids].sort()).toEqual(["acme-dev-triton", "arn:repo", "vpc-1"]);
  });

  it("proposes adoption only for resources with the stacks' fixed names", () => {
    expect(importHint(r({ type: "s3-bucket", id: "acme-dev-models-123456789012" }), project)).toEqual({
      stage: "ecr",
      address: "aws_s3_bucket.models",
      id: "acme-dev-models-123456789012",
    });
    expect(
      importHint(r({ type: "eks-nodegroup", id: "acme-dev:acme-dev-gpu", name: "acme-dev-gpu" }), project),
    ).toEqual({
      stage: "gpu-nodes",
      address: "aws_eks_node_group.gpu",
      id: "acme-dev:acme-dev-gpu",
    });
    expect(
      importHint(
        r({ type: "eks-nodegroup", id: "acme-dev:acme-dev-gpu-spot", name: "acme-dev-gpu-spot" }),
        project,
      ),
    ).toEqual({
      stage: "gpu-nodes",
      address: "aws_eks_node_group.gpu_spot[0]",
      id: "acme-dev:acme-dev-gpu-spot",
    });
    expect(importHint(r({ type: "vpc", id: "vpc-1", name: "acme-dev" }), project)).toBeUndefined();
    expect(importHint(r({ type: "iam-role", id: "acme-dev-random" }), project)).toBeUndefined();
  });
});

describe("inventoryScope", () => {
  it("looks inside the project's VPCs only", () => {
    const scope = inventoryScope(project);
    expect(scope.vpc(r({ type: "vpc", id: "vpc-1", name: "acme-dev" }))).toBe(true);
    expect(
      scope.vpc(r({ type: "vpc", id: "vpc-2", tags: { ManagedBy: "triton-ops", Project: "acme" } })),
    ).toBe(true);
    expect(scope.vpc(r({ type: "vpc", id: "vpc-3", name: "acme-developers" }))).toBe(false);
    expect(scope.vpc(r({ type: "vpc", id: "vpc-4", name: "acme-dev", tags: { Project: "other" } }))).toBe(
      false,
    );
  });
});

describe("classify prices with the one price model", () => {
  it("names a price it does not know instead of counting it as zero", () => {
    const out = classify(
      [
        r({ type: "eks-nodegroup", id: "acme-dev-gpu", instanceTypes: ["p9.mega"], desiredSize: 2 }),
        r({ type: "nat-gateway", id: "nat-1", name: "acme-dev-nat" }),
        r({
          type: "eks-nodegroup",
          id: "acme-dev-far",
          region: "mars-east-1",
          instanceTypes: ["g5.xlarge"],
          desiredSize: 1,
        }),
      ],
      project,
      {},
    );
    const byId = new Map(out.map((x) => [x.id, x]));
    expect(byId.get("acme-dev-gpu")?.unpriced).toBe("no price for p9.mega in us-east-1");
    expect(byId.get("acme-dev-far")?.unpriced).toBe("no price for g5.xlarge in mars-east-1");
    expect(byId.get("nat-1")?.unpriced).toBeUndefined();
    expect(byId.get("nat-1")?.monthlyCost).toBe(32.85);
  });
});
