import { describe, expect, it } from "vitest";
import type { StackState } from "../terraform/state.js";
import { classify, importHint, inventoryScope, ownership, stateIdentifiers } from "./classify.js";
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

describe("ownership", () => {
  it("takes the project's tags, including the environment", () => {
    const tags = { ManagedBy: "triton-ops", Project: "acme", Environment: "dev" };
    expect(ownership(r({ type: "vpc", id: "vpc-1", name: "whatever", tags }), project)).toEqual({
      by: "tag",
    });
    expect(
      ownership(r({ type: "vpc", id: "vpc-1", tags: { ...tags, Environment: "prod" } }), project),
    ).toBeUndefined();
    expect(
      ownership(r({ type: "vpc", id: "vpc-1", tags: { ...tags, Project: "other" } }), project),
    ).toBeUndefined();
  });

  it("takes the name prefix only up to a hyphen, and never against another project's tag", () => {
    expect(ownership(r({ type: "iam-role", id: "acme-dev-eks-node" }), project)).toEqual({ by: "name" });
    expect(ownership(r({ type: "iam-role", id: "acme-dev" }), project)).toEqual({ by: "name" });
    expect(ownership(r({ type: "iam-role", id: "acme-developer" }), project)).toBeUndefined();
    expect(ownership(r({ type: "iam-role", id: "other-dev-node" }), project)).toBeUndefined();
    expect(
      ownership(r({ type: "vpc", id: "vpc-1", name: "acme-dev", tags: { Project: "else" } }), project),
    ).toBeUndefined();
  });

  it("knows the names of log groups, KMS aliases and EKS network interfaces", () => {
    expect(ownership(r({ type: "log-group", id: "/aws/eks/acme-dev/cluster" }), project)).toEqual({
      by: "name",
    });
    expect(ownership(r({ type: "log-group", id: "/aws/eks/acme-devx/cluster" }), project)).toBeUndefined();
    expect(ownership(r({ type: "kms-alias", id: "alias/acme-dev-eks" }), project)).toEqual({ by: "name" });
    expect(
      ownership(r({ type: "network-interface", id: "eni-1", description: "Amazon EKS acme-dev" }), project),
    ).toEqual({
      by: "name",
    });
    // An OIDC provider is named by its URL: only tags make it the project's.
    expect(
      ownership(r({ type: "iam-oidc-provider", id: "arn:x", name: "acme-dev" }), project),
    ).toBeUndefined();
  });

  it("takes what Kubernetes owns for the project's cluster, not what a cluster merely shares", () => {
    const owned = { "kubernetes.io/cluster/acme-dev": "owned" };
    expect(ownership(r({ type: "ebs-volume", id: "vol-1", tags: owned }), project)).toEqual({
      by: "cluster",
      cluster: "acme-dev",
    });
    expect(
      ownership(
        r({ type: "subnet", id: "s-1", tags: { "kubernetes.io/cluster/acme-dev": "shared" } }),
        project,
      ),
    ).toBeUndefined();
    expect(
      ownership(
        r({ type: "load-balancer", id: "arn:lb", tags: { "elbv2.k8s.aws/cluster": "acme-dev" } }),
        project,
      ),
    ).toEqual({ by: "cluster", cluster: "acme-dev" });
    expect(
      ownership(
        r({
          type: "ebs-volume",
          id: "vol-2",
          name: "acme-dev-x",
          tags: { "kubernetes.io/cluster/other": "owned" },
        }),
        project,
      ),
    ).toBeUndefined();
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
    expect(importHint(r({ type: "vpc", id: "vpc-1", name: "acme-dev" }), project)).toBeUndefined();
    expect(importHint(r({ type: "iam-role", id: "acme-dev-random" }), project)).toBeUndefined();
  });
});

describe("inventoryScope", () => {
  it("looks inside the project's VPCs only, and for volumes by the tags and names ownership accepts", () => {
    const scope = inventoryScope(project);
    expect(scope.vpc(r({ type: "vpc", id: "vpc-1", name: "acme-dev" }))).toBe(true);
    expect(
      scope.vpc(r({ type: "vpc", id: "vpc-2", tags: { ManagedBy: "triton-ops", Project: "acme" } })),
    ).toBe(true);
    expect(scope.vpc(r({ type: "vpc", id: "vpc-3", name: "acme-developers" }))).toBe(false);
    expect(scope.vpc(r({ type: "vpc", id: "vpc-4", name: "acme-dev", tags: { Project: "other" } }))).toBe(
      false,
    );
    expect(scope.volumeFilters).toEqual([
      [{ Name: "tag:Project", Values: ["acme"] }],
      [{ Name: "tag:Name", Values: ["acme-dev", "acme-dev-*"] }],
      [{ Name: "tag-key", Values: ["kubernetes.io/cluster/acme-dev"] }],
      [{ Name: "tag:KubernetesCluster", Values: ["acme-dev"] }],
    ]);
  });
});
