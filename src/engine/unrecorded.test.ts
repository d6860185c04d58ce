import { describe, expect, it } from "vitest";
import type { ClassifiedResource } from "../orphans/classify.js";
import { refusalReason } from "../terraform/collisions.js";
import type { PlannedChange, PlanSummary } from "../terraform/plan.js";
import { createsUnnamed, unrecordedCollisions, untaggedWithStageCidr } from "./unrecorded.js";

const create = (address: string, type: string, name?: string): PlannedChange => ({
  address,
  type,
  kind: "create",
  reason: undefined,
  after: name ? { tags: { Name: name } } : {},
});
const summary = (changes: PlannedChange[]): PlanSummary =>
  ({
    add: changes.length,
    change: 0,
    destroy: 0,
    replace: 0,
    unknownAfterApply: 0,
    changes,
    empty: false,
  }) as PlanSummary;
const found = (
  type: ClassifiedResource["type"],
  id: string,
  tags: Record<string, string>,
  cls: ClassifiedResource["class"] = "orphan",
): ClassifiedResource => ({
  type,
  id,
  name: tags.Name ?? id,
  region: "us-east-1",
  tags,
  class: cls,
  reason: "",
  monthlyCost: 0,
});

describe("unrecorded resources of a stage", () => {
  const plan = summary([
    create("aws_vpc.this", "aws_vpc", "acme-dev"),
    create("aws_subnet.public[0]", "aws_subnet", "acme-dev-public-us-east-1a"),
    create("aws_subnet.public[1]", "aws_subnet", "acme-dev-public-us-east-1b"),
    create("aws_nat_gateway.this[0]", "aws_nat_gateway", "acme-dev-us-east-1a"),
    create("aws_iam_role.flow_logs[0]", "aws_iam_role", "acme-dev-vpc-flow-logs"),
  ]);

  it("matches the stage's orphans to the creates by Name tag, as import addresses and ids", () => {
    const classified = [
      found("vpc", "vpc-1", { Name: "acme-dev", Stage: "vpc" }),
      found("subnet", "subnet-b", { Name: "acme-dev-public-us-east-1b", Stage: "vpc" }),
      // In a state: not a duplicate.
      found("subnet", "subnet-a", { Name: "acme-dev-public-us-east-1a", Stage: "vpc" }, "managed"),
      // Another stage's security group is that stage's business.
      found("security-group", "sg-1", { Name: "acme-dev", Stage: "eks" }),
    ];
    expect(unrecordedCollisions("vpc", plan, classified)).toEqual([
      {
        address: "aws_vpc.this",
        type: "aws_vpc",
        name: "acme-dev",
        importId: "vpc-1",
        owner: { verdict: "ours", by: "tag" },
      },
      {
        address: "aws_subnet.public[1]",
        type: "aws_subnet",
        name: "acme-dev-public-us-east-1b",
        importId: "subnet-b",
        owner: { verdict: "ours", by: "tag" },
      },
    ]);
  });

  it("a type created once matches its one orphan without a name; two of a type need names", () => {
    const classified = [
      found("nat-gateway", "nat-1", { Stage: "vpc" }),
      found("subnet", "subnet-x", { Stage: "vpc" }),
    ];
    expect(unrecordedCollisions("vpc", plan, classified).map((c) => c.importId)).toEqual(["nat-1"]);
  });

  it("looks only when the plan creates a type with no unique name", () => {
    expect(createsUnnamed(plan)).toBe(true);
    expect(createsUnnamed(summary([create("aws_iam_role.x", "aws_iam_role", "r")]))).toBe(false);
    expect(createsUnnamed(summary([{ ...create("aws_vpc.this", "aws_vpc"), kind: "update" }]))).toBe(false);
  });

  it("an untagged VPC with the stage's CIDR, in no state, is the VPC create's collision", () => {
    const vpc = (id: string, cidr: string, tags: Record<string, string> = {}, extra = {}) => ({
      type: "vpc" as const,
      id,
      name: tags.Name ?? id,
      region: "us-east-1",
      tags,
      cidr,
      ...extra,
    });
    const found = [
      vpc("vpc-new", "10.0.0.0/16"),
      // Another CIDR, a tagged one (the ownership rule judges it), the default VPC, one in a state.
      vpc("vpc-other", "10.9.0.0/16"),
      vpc("vpc-named", "10.0.0.0/16", { Name: "someone-elses" }),
      vpc("vpc-default", "10.0.0.0/16", {}, { isDefault: true }),
      vpc("vpc-recorded", "10.0.0.0/16"),
    ];
    const states = {
      vpc: {
        outputs: {},
        resources: [
          { address: "aws_vpc.old", type: "aws_vpc", name: "old", id: "vpc-recorded", attributes: {} },
        ],
        modifiedAt: undefined,
        serial: 1,
      },
    };
    const untagged = untaggedWithStageCidr(found, "10.0.0.0/16", states);
    expect(untagged.map((v) => v.id)).toEqual(["vpc-new"]);
    // Shown, but never adopted: nothing but its CIDR ties it to the project.
    const [collision] = unrecordedCollisions("vpc", plan, [], untagged);
    expect(collision).toMatchObject({ address: "aws_vpc.this", importId: "vpc-new" });
    expect(collision?.owner.verdict).toBe("unknown");
    expect(refusalReason(collision!)).toMatch(
      /^ownership unknown: vpc-new is untagged, with the stage's CIDR/,
    );
    // Only the vpc stage's CIDR is known from the config.
    expect(unrecordedCollisions("eks", plan, [], untagged)).toEqual([]);
  });
});
