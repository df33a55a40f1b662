import type { Services } from "../services/index";
import type { NetworkService } from "./network";
import type { OutboundLimits } from "./outbound-limits";
import { createSubnetworkReads } from "./subnetwork-reads";

/**
 * The network service as the application layer holds it from the start: local reads answer at
 * once; whatever contacts the network loads federation first (`load`, see node.ts and
 * docs/architecture.md, "How federation is loaded").
 */
export function lazyNetworkService(
  services: Services,
  outbound: OutboundLimits,
  load: () => Promise<NetworkService>,
): NetworkService {
  const reads = createSubnetworkReads(services);
  const sub = async () => (await load()).subnetworks;
  return {
    lookUp: async (...args) => (await load()).lookUp(...args),
    follow: async (...args) => (await load()).follow(...args),
    unfollow: async (...args) => (await load()).unfollow(...args),
    approve: async (...args) => (await load()).approve(...args),
    remove: async (...args) => (await load()).remove(...args),
    relay: async (...args) => (await load()).relay(...args),
    subnetworks: {
      joined: reads.joined,
      feed: reads.feed,
      approve: async (...args) => (await sub()).approve(...args),
      remove: async (...args) => (await sub()).remove(...args),
      join: async (...args) => (await sub()).join(...args),
      leave: async (...args) => (await sub()).leave(...args),
      share: async (...args) => (await sub()).share(...args),
      announce: async (...args) => (await sub()).announce(...args),
    },
    outboundTimeoutSeconds: outbound.timeoutMs / 1000,
  };
}
