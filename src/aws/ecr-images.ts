import { type AwsContext, awsClientConfig, isNotFound, toAwsError } from "./clients.js";
import { sdk } from "./sdk.js";

/** Every image id in a repository, paged; an absent repository has none. */
export async function listImageIds(
  aws: AwsContext,
  repositoryName: string,
): Promise<Array<{ imageDigest?: string; imageTag?: string }>> {
  const { ECRClient, ListImagesCommand } = sdk.ecr();
  const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
  const ids: Array<{ imageDigest?: string; imageTag?: string }> = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new ListImagesCommand({ repositoryName, nextToken, maxResults: 1000 }));
      for (const id of page.imageIds ?? []) ids.push({ imageDigest: id.imageDigest, imageTag: id.imageTag });
      nextToken = page.nextToken;
    } while (nextToken);
    return ids;
  } catch (error) {
    if (isNotFound(error)) return [];
    throw toAwsError(error, `list the images of ${repositoryName}`);
  } finally {
    ecr.destroy();
  }
}

/** Deletes every image (BatchDeleteImage takes 100 at a time); returns how many went. */
export async function deleteAllImages(aws: AwsContext, repositoryName: string): Promise<number> {
  const ids = await listImageIds(aws, repositoryName);
  if (ids.length === 0) return 0;
  const { ECRClient, BatchDeleteImageCommand } = sdk.ecr();
  const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
  let deleted = 0;
  try {
    // One digest removes every tag pointing at it; deleting by digest avoids per-tag failures.
    const digests = [...new Set(ids.map((i) => i.imageDigest).filter((d): d is string => Boolean(d)))];
    for (let i = 0; i < digests.length; i += 100) {
      const chunk = digests.slice(i, i + 100).map((imageDigest) => ({ imageDigest }));
      const out = await ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds: chunk }));
      deleted += out.imageIds?.length ?? 0;
    }
    return deleted;
  } catch (error) {
    throw toAwsError(error, `delete the images of ${repositoryName}`);
  } finally {
    ecr.destroy();
  }
}
