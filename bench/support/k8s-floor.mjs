// The floor for the doctor benchmark: one paged fetch (limit/continue, 500 a page) of nodes, pods and
// events through @kubernetes/client-node, the three lists side by side, nothing else.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";

const kc = new KubeConfig();
kc.loadFromFile(process.argv[2]);
const core = kc.makeApiClient(CoreV1Api);

async function all(fetchPage) {
  const items = [];
  let token;
  do {
    const page = await fetchPage({ limit: 500, ...(token ? { _continue: token } : {}) });
    items.push(...page.items);
    token = page.metadata?._continue;
  } while (token);
  return items;
}

const [nodes, pods, events] = await Promise.all([
  all((p) => core.listNode(p)),
  all((p) => core.listPodForAllNamespaces(p)),
  all((p) => core.listEventForAllNamespaces(p)),
]);
if (nodes.length === 0 || pods.length === 0 || events.length === 0) process.exit(1);
