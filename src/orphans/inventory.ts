import pLimit from "p-limit";
import type { AwsContext } from "../aws/clients.js";
import {
  type ListOptions,
  listBuckets,
  listEc2,
  listEcr,
  listEks,
  listIam,
  listKms,
  listLoadBalancers,
  listLogGroups,
} from "../aws/inventory.js";
import type { FoundResource } from "./types.js";

export interface Inventory {
  resources: FoundResource[];
  regions: string[];
  /** APIs that the account or emulator lacks: what they hold is unknown. */
  unavailable: string[];
}

/** Requests in flight at once: enough to hide latency, well under the APIs' throttling rates. */
export const SCAN_CONCURRENCY = 16;

/**
 * Everything in the given regions that orphan-scan looks at, fetched concurrently and paged; IAM and
 * S3 are account-wide and fetched once. Nothing is filtered here: classify() decides what is ours.
 *
 * The Resource Groups Tagging API is not used: it finds tagged resources only (most of what Kubernetes
 * leaves and everything matched by name would be missed), on AWS it does not cover IAM, and the
 * classification and cost estimate need each service's own details (state, size, type, VPC) anyway.
 */
export async function takeInventory(
  aws: AwsContext,
  regions: readonly string[],
  scope?: ListOptions["scope"],
): Promise<Inventory> {
  const limit = pLimit(SCAN_CONCURRENCY);
  const unavailable = new Set<string>();
  const options: ListOptions = {
    limit,
    onMissing: (what) => unavailable.add(what),
    ...(scope ? { scope } : {}),
  };
  // Loading an SDK client is synchronous work (EC2's alone takes about 170 ms on Node 20), so a listing's
  // requests must be on the wire before the next client loads: then the API answers meanwhile. A send()
  // reaches the socket on the third turn of the event loop (measured with an http.request hook; one turn
  // left IAM's request waiting until EC2's client had loaded, 200 ms later), hence three turns per start.
  // Order: IAM (one large page), ECR (a chain: the listing, then a tag read per repository, cheap to load),
  // EC2 (the most requests and the dearest client), then the rest.
  const starts: Array<() => Promise<FoundResource[]>> = [
    () => listIam(aws, options),
    ...regions.flatMap((region) => {
      const here = { ...aws, region };
      return [listEcr, listEc2, listEks, listLoadBalancers, listLogGroups, listKms].map(
        (list) => () => list(here, options),
      );
    }),
    () => listBuckets(aws, options),
  ];
  const pending: Array<Promise<FoundResource[]>> = [];
  for (const start of starts) {
    const listing = start();
    // Rejections are awaited below; this only keeps an early one from being reported as unhandled.
    listing.catch(() => undefined);
    pending.push(listing);
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  }
  const resources = (await Promise.all(pending)).flat();
  return { resources, regions: [...regions], unavailable: [...unavailable].sort() };
}
