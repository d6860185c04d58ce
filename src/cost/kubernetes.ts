import { loadBalancer, type ModelContext, type PricedItem, volumes } from "./model.js";

/** The few fields of a Kubernetes object that cost money. */
interface BillableObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: {
    type?: string;
    storageClassName?: string;
    resources?: { requests?: { storage?: string } };
  };
}

/** "100Gi" -> GB (the unit EBS bills by is GiB, which AWS's pages call GB). */
export function quantityToGb(q: string | undefined): number | undefined {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(q ?? "");
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? "";
  const factor: Record<string, number> = {
    "": 1 / 1024 ** 3,
    Ki: 1 / 1024 ** 2,
    Mi: 1 / 1024,
    Gi: 1,
    Ti: 1024,
    K: 1e3 / 1024 ** 3,
    M: 1e6 / 1024 ** 3,
    G: 1e9 / 1024 ** 3,
    T: 1e12 / 1024 ** 3,
  };
  return Math.ceil(n * (factor[unit] ?? 1));
}

const LB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type";

/**
 * Pure: what Kubernetes will make AWS create for these objects, which Terraform never sees: a load
 * balancer per LoadBalancer Service (an NLB when annotated for one, else the in-tree Classic one), an EBS
 * volume per PersistentVolumeClaim.
 */
export function priceKubernetesObjects(ctx: ModelContext, objects: readonly BillableObject[]): PricedItem[] {
  const items: PricedItem[] = [];
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name ?? "?"}`;
    if (o.kind === "Service" && o.spec?.type === "LoadBalancer") {
      const annotation = o.metadata?.annotations?.[LB_TYPE];
      const nlb = annotation === "nlb" || annotation === "external" || annotation === "nlb-ip";
      items.push(loadBalancer(ctx, id, nlb ? "network" : "classic"));
    }
    if (o.kind === "PersistentVolumeClaim") {
      const gb = quantityToGb(o.spec?.resources?.requests?.storage);
      const type = o.spec?.storageClassName?.includes("gp3") ? "gp3" : "gp2";
      if (gb === undefined) items.push({ address: id, what: "EBS volume", unknown: "no storage request" });
      else items.push(volumes(ctx, id, { volumeType: type, sizeGb: gb }));
    }
  }
  return items;
}
