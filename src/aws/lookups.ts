import { awsErrorName } from "../errors.js";
import { type AwsContext, awsClientConfig, tagRecord, unlessNotFound, using } from "./clients.js";
import { sdk } from "./sdk.js";

// Existence lookups by name for S3, CloudWatch Logs and KMS (import collisions, post-checks), one
// function per call. Any failure other than "not there" is the SDK's error.

/** s3:HeadBucket: does the bucket exist (in any account: bucket names are global)? */
export async function bucketExists(aws: AwsContext, bucket: string): Promise<boolean> {
  const { S3Client, HeadBucketCommand } = sdk.s3();
  const out = await using(new S3Client(awsClientConfig(aws, "S3")), (s3) =>
    unlessNotFound(s3.send(new HeadBucketCommand({ Bucket: bucket }))),
  );
  return out !== undefined;
}

/** s3:GetBucketTagging: the bucket's tags; a bucket without any answers NoSuchTagSet, which is {}. */
export async function bucketTags(aws: AwsContext, bucket: string): Promise<Record<string, string>> {
  const { S3Client, GetBucketTaggingCommand } = sdk.s3();
  const config = { ...awsClientConfig(aws, "S3"), followRegionRedirects: true };
  return using(new S3Client(config), async (s3) => {
    try {
      return tagRecord((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet);
    } catch (error) {
      if (awsErrorName(error) === "NoSuchTagSet") return {};
      throw error;
    }
  });
}

/** logs:DescribeLogGroups by prefix: the log group of exactly this name, with its ARN (first page). */
export async function findLogGroup(aws: AwsContext, name: string): Promise<{ arn: string } | undefined> {
  const { CloudWatchLogsClient, DescribeLogGroupsCommand } = sdk.logs();
  const out = await using(new CloudWatchLogsClient(awsClientConfig(aws, "CLOUDWATCH_LOGS")), (logs) =>
    unlessNotFound(logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))),
  );
  const group = out?.logGroups?.find((g) => g.logGroupName === name);
  return group ? { arn: (group.arn ?? "").replace(/:\*$/, "") } : undefined;
}

/** Is there a log group of exactly this name? */
export async function logGroupExists(aws: AwsContext, name: string): Promise<boolean> {
  return (await findLogGroup(aws, name)) !== undefined;
}

/** logs:ListTagsForResource: a log group's tags, by its ARN (without the trailing `:*`). */
export async function logGroupTags(aws: AwsContext, arn: string): Promise<Record<string, string>> {
  const { CloudWatchLogsClient, ListTagsForResourceCommand } = sdk.logs();
  const out = await using(new CloudWatchLogsClient(awsClientConfig(aws, "CLOUDWATCH_LOGS")), (logs) =>
    logs.send(new ListTagsForResourceCommand({ resourceArn: arn })),
  );
  return out.tags ?? {};
}

/** kms:ListAliases, paged until found: does the alias exist? */
export async function kmsAliasExists(aws: AwsContext, aliasName: string): Promise<boolean> {
  const { KMSClient, paginateListAliases } = sdk.kms();
  return using(new KMSClient(awsClientConfig(aws, "KMS")), async (client) => {
    for await (const page of paginateListAliases({ client, pageSize: 100 }, {}))
      if (page.Aliases?.some((a) => a.AliasName === aliasName)) return true;
    return false;
  });
}
