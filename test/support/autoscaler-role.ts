import { execa } from "execa";
import { expect } from "vitest";

/** One AWS CLI call against the emulator, its JSON answer parsed. */
export async function awsCli(env: NodeJS.ProcessEnv, args: string[]): Promise<unknown> {
  return JSON.parse((await execa("aws", [...args, "--output", "json"], { env })).stdout) as unknown;
}

/** IAM hands policy documents back URL-encoded in some clients, as objects in others. */
function policyJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(decodeURIComponent(value)) : value;
}

/**
 * cluster-autoscaler's IRSA role as the eks stage leaves it: trusted only through the cluster's OIDC
 * provider for kube-system/cluster-autoscaler, and every write limited by the cluster's two tags.
 */
export async function expectAutoscalerRole(env: NodeJS.ProcessEnv, cluster: string): Promise<void> {
  const roleName = `${cluster}-cluster-autoscaler`;
  const role = (await awsCli(env, ["iam", "get-role", "--role-name", roleName])) as {
    Role: { AssumeRolePolicyDocument: unknown };
  };
  const trust = policyJson(role.Role.AssumeRolePolicyDocument) as {
    Statement: Array<{
      Action: string;
      Principal: { Federated: string };
      Condition: { StringEquals: Record<string, string> };
    }>;
  };
  expect(trust.Statement).toHaveLength(1);
  const [statement] = trust.Statement;
  expect(statement?.Action).toBe("sts:AssumeRoleWithWebIdentity");
  expect(statement?.Principal.Federated).toMatch(/:oidc-provider\//);
  const conditions = Object.entries(statement?.Condition.StringEquals ?? {});
  expect(conditions.find(([k]) => k.endsWith(":sub"))?.[1]).toBe(
    "system:serviceaccount:kube-system:cluster-autoscaler",
  );
  expect(conditions.find(([k]) => k.endsWith(":aud"))?.[1]).toBe("sts.amazonaws.com");
  const inline = (await awsCli(env, [
    "iam",
    "get-role-policy",
    "--role-name",
    roleName,
    "--policy-name",
    "scale-own-node-groups",
  ])) as { PolicyDocument: unknown };
  const doc = policyJson(inline.PolicyDocument) as {
    Statement: Array<{ Sid: string; Action: string[]; Condition?: { StringEquals: object } }>;
  };
  const write = doc.Statement.find((s) => s.Action.includes("autoscaling:SetDesiredCapacity"));
  expect(write?.Action.sort()).toEqual([
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
  ]);
  expect(write?.Condition?.StringEquals).toEqual({
    [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned",
    "aws:ResourceTag/eks:cluster-name": cluster,
  });
  // Whatever is granted without that tag condition only reads.
  for (const s of doc.Statement.filter((x) => !x.Condition))
    expect(
      s.Action.every((a) => /:(Describe|Get)/.test(a)),
      s.Sid,
    ).toBe(true);
}
