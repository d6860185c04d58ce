import { type AwsContext, awsClientConfig, unlessNotFound, using } from "./clients.js";
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

/** logs:DescribeLogGroups by prefix: is there a log group of exactly this name? (first page) */
export async function logGroupExists(aws: AwsContext, name: string): Promise<boolean> {
  const { CloudWatchLogsClient, DescribeLogGroupsCommand } = sdk.logs();
  const out = await using(new CloudWatchLogsClient(awsClientConfig(aws, "CLOUDWATCH_LOGS")), (logs) =>
    unlessNotFound(logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))),
  );
  return out?.logGroups?.some((g) => g.logGroupName === name) ?? false;
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
