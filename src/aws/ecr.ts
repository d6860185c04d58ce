import { type AwsContext, awsClientConfig, tagRecord, unlessNotFound, using } from "./clients.js";
import { sdk } from "./sdk.js";

// The ECR lookups the product makes, one function each: not there is undefined, any other failure the
// SDK's error. Image listing and deletion live in ecr-images.ts.

export interface EcrRepository {
  name: string;
  arn: string | undefined;
  uri: string;
  tagMutability: string;
  createdAt: Date | undefined;
}

const ecrClient = (aws: AwsContext) => new (sdk.ecr().ECRClient)(awsClientConfig(aws, "ECR"));

/** ecr:DescribeRepositories for one repository (of another registry when registryId is given). */
export async function describeRepository(
  aws: AwsContext,
  name: string,
  registryId?: string,
): Promise<EcrRepository | undefined> {
  const { DescribeRepositoriesCommand } = sdk.ecr();
  const out = await using(ecrClient(aws), (ecr) =>
    unlessNotFound(
      ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: [name], ...(registryId ? { registryId } : {}) }),
      ),
    ),
  );
  const repo = out?.repositories?.[0];
  if (!repo) return undefined;
  return {
    name: repo.repositoryName ?? name,
    arn: repo.repositoryArn,
    uri: repo.repositoryUri ?? "",
    tagMutability: repo.imageTagMutability ?? "MUTABLE",
    createdAt: repo.createdAt,
  };
}

/** ecr:ListTagsForResource: a repository's tags (DescribeRepositories carries none). */
export async function repositoryTags(aws: AwsContext, arn: string): Promise<Record<string, string>> {
  const { ListTagsForResourceCommand } = sdk.ecr();
  const out = await using(ecrClient(aws), (ecr) =>
    ecr.send(new ListTagsForResourceCommand({ resourceArn: arn })),
  );
  return tagRecord(out.tags);
}

/** ecr:DescribeImages for one image by tag or digest; undefined when the repository has no such image. */
export async function describeImage(
  aws: AwsContext,
  repositoryName: string,
  image: { tag: string } | { digest: string },
  registryId?: string,
): Promise<{ digest: string } | undefined> {
  const { DescribeImagesCommand } = sdk.ecr();
  const out = await using(ecrClient(aws), (ecr) =>
    unlessNotFound(
      ecr.send(
        new DescribeImagesCommand({
          repositoryName,
          imageIds: ["digest" in image ? { imageDigest: image.digest } : { imageTag: image.tag }],
          ...(registryId ? { registryId } : {}),
        }),
      ),
    ),
  );
  const detail = out?.imageDetails?.[0];
  return detail ? { digest: detail.imageDigest ?? "" } : undefined;
}
