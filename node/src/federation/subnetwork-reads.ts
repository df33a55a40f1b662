import { NotFoundError } from "../services/errors";
import { followingView } from "../services/follows";
import type { Services } from "../services/index";
import { subnetworkItemView } from "../services/subnetworks";

/**
 * What a territory reads of the sub-networks it joined: local reads only, apart from
 * ./subnetwork-network.ts so that the workspace answers them without loading Fedify
 * (docs/architecture.md, "How federation is loaded").
 */
export function createSubnetworkReads(services: Services) {
  /** The sub-network a territory joined, by id, actor URL or handle. */
  const joinedRow = (slug: string, ref: string | number) => {
    const wanted = typeof ref === "string" ? ref.trim().replace(/^@/, "") : ref;
    const row = services.follows
      .following(slug)
      .find(
        (f) =>
          f.targetType === "Group" &&
          (f.id === wanted ||
            String(f.id) === wanted ||
            f.target === wanted ||
            f.targetHandle?.replace(/^@/, "") === wanted),
      );
    if (!row) throw new NotFoundError(`territory "${slug}" has not joined the sub-network ${ref}`);
    return row;
  };

  return {
    joinedRow,
    /** The sub-networks a territory joined or asked to join. */
    joined(territorySlug: string) {
      services.territories.get(territorySlug);
      return services.follows
        .following(territorySlug)
        .filter((f) => f.targetType === "Group")
        .map(followingView);
    },

    /**
     * What arrived through a joined sub-network (newest first), verified against each origin's
     * proof, with what a reader needs to name it.
     */
    feed(territorySlug: string, ref: string | number) {
      const row = joinedRow(territorySlug, ref);
      // This node's own publications, as the group relayed them back.
      const own = (objectId: string) => {
        const uuid = objectId.split("/").pop() ?? "";
        const local = objectId.startsWith(services.ctx.publicUrl);
        const synthesis = local ? services.syntheses.series(uuid) : undefined;
        if (synthesis) return { payload: synthesis.payload, version: synthesis.latest.version };
        const meeting = local ? services.meetings.byUuid(uuid) : undefined;
        return meeting ? { payload: meeting.meeting.payload, version: undefined } : undefined;
      };
      // Each item looked up by its object id (no scan of everything received).
      return services.subnetworks.items(row.target).map((item) => {
        const received = services.subnetworks.receivedObject(item.objectId);
        const mine = received ? undefined : own(item.objectId);
        const payload = (received?.payload ?? mine?.payload) as
          | { territory?: { name?: string }; title?: string }
          | undefined;
        return {
          ...subnetworkItemView(item),
          territory: payload?.territory?.name,
          ...(item.kind === "meeting" ? { title: payload?.title } : {}),
          ...(item.kind === "synthesis" ? { version: received?.version ?? mine?.version } : {}),
        };
      });
    },
  };
}
