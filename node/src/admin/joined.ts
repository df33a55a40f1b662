import type { SubnetworkChoice } from "@spiral-network/admin-ui/admin/publish-page";
import type { Actor, Application } from "../app/index";

/** The sub-networks a territory joined and was accepted in: what a publication may address. */
export const joinedSubnetworks = (
  app: Application,
  actor: Actor,
  slug: string,
): SubnetworkChoice[] =>
  app.network
    .following(actor, slug)
    .filter((f) => f.targetType === "Group" && f.state === "accepted")
    .map((f) => ({
      id: f.id,
      name: f.targetName ?? f.targetHandle ?? f.target,
      handle: f.targetHandle ?? undefined,
    }));

/** The ticked sub-network boxes of a form (`subnetwork_<follow id>`), as follow ids. */
export const subnetworkChoices = (fields: Record<string, string | undefined>): number[] =>
  Object.keys(fields)
    .filter((k) => k.startsWith("subnetwork_") && fields[k])
    .map((k) => Number(k.slice("subnetwork_".length)))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
