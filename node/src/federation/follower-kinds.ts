import type { Federation } from "@fedify/fedify";
import { isActor } from "@fedify/vocab";
import { Temporal } from "temporal-polyfill";
import type { FederationDeps } from "./context";
import { lookUpRemote } from "./remote-lookup";
import { isSpiralActor } from "./subnetworks";

/** A follower looked at is not looked at again for this long (its kind does not change). */
const CHECKED_TTL = Temporal.Duration.from({ days: 30 });

/**
 * Followers of the local territories recorded before the node told SPIRAL nodes apart are all
 * marked as not SPIRAL: they would get Linked Data signatures and no propagation (docs/protocol.md
 * §6 and §8). At start, each such follower's actor is looked up once (through the guarded
 * loaders) and marked if it lists a known-syntheses stream; one that answered is not looked up
 * again for 30 days, one that did not is tried at the next start. Returns how many were marked.
 */
export async function recheckFollowerKinds(
  federation: Federation<FederationDeps>,
  deps: FederationDeps,
  publicUrl: string,
): Promise<number> {
  const ctx = federation.createContext(new URL(publicUrl), deps);
  const loaders = { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader };
  const { services, kv } = deps;
  let marked = 0;
  for (const territory of services.territories.list()) {
    for (const row of services.follows.acceptedFollowers(territory.slug)) {
      const key = ["spiral", "followerKind", row.follower] as const;
      if (row.spiral || (await kv.get(key))) continue;
      const actor = await lookUpRemote(row.follower, loaders, deps.outbound).catch(() => null);
      if (!isActor(actor) || actor.id?.href !== row.follower) continue;
      if (isSpiralActor(actor)) {
        services.follows.setFollowerSpiral(row.id, true);
        marked++;
      }
      await kv.set(key, true, { ttl: CHECKED_TTL });
    }
  }
  return marked;
}
