import type { Services } from "../services/index";
import type { SqliteKvStore } from "./sqlite-kv-store";
import type { SqliteMessageQueue } from "./sqlite-message-queue";

/**
 * The federation work a node has to do as soon as it starts, if any, said in a few words: what
 * makes node.ts load Fedify at start rather than on first need (docs/architecture.md, "How
 * federation is loaded"). Read from the database only.
 */
export async function federationWorkAtStart(
  services: Services,
  kv: SqliteKvStore,
  queue: SqliteMessageQueue,
): Promise<string | undefined> {
  const pending = services.outbox.pending().length;
  if (pending > 0) return `${pending} publication(s) to send`;
  const { queued } = await queue.getDepth();
  if (queued > 0) return `${queued} queued federation task(s)`;
  // Anti-entropy pulls followed peers at start (anti-entropy.ts).
  const followed = services.follows.acceptedFollowing().length;
  if (followed > 0) return `${followed} followed peer(s) to pull`;
  // The followers follower-kinds.ts looks at once (those it has not looked at yet).
  for (const territory of services.territories.list()) {
    for (const row of services.follows.acceptedFollowers(territory.slug)) {
      if (!row.spiral && !(await kv.get(["spiral", "followerKind", row.follower]))) {
        return "followers to recognise as SPIRAL nodes or not";
      }
    }
  }
  return undefined;
}
