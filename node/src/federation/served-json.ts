import { type DocumentLoader, type Federation, nodeInfoToJson } from "@fedify/fedify";
import type { Event } from "@fedify/vocab";
import type { MeetingPayload, MeetingStatus } from "@spiral-network/protocol";
import type { Handler, MiddlewareHandler } from "hono";
import type { FederationDeps } from "./context";
import { publicMeetingEvent, publicSynthesisArticle, spiralNodeInfo } from "./federation";
import { withFullPublicAddressing } from "./proofs";
import { wantsActivityJson } from "./routes";

/**
 * Documents served as JSON that Fedify would write in a way other servers reject or cannot read
 * (docs/protocol.md §5, §6 and §11); mounted before Fedify's middleware.
 */

const NODEINFO_TYPE =
  'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"';
const ACTIVITY_TYPE = "application/activity+json; charset=utf-8";
const ICAL = "http://www.w3.org/2002/12/cal/ical#";

/** The iCalendar STATUS of a meeting (what Mobilizon reads from `ical:status`). */
const ICAL_STATUS: Record<MeetingStatus, "CONFIRMED" | "TENTATIVE" | "CANCELLED"> = {
  scheduled: "CONFIRMED",
  postponed: "TENTATIVE",
  cancelled: "CANCELLED",
};

/**
 * NodeInfo 2.1 as its schema allows: Fedify adds a `$schema` member, which the schema's
 * `additionalProperties: false` forbids (strict validators then reject the whole document).
 */
export function nodeInfoHandler(deps: FederationDeps): Handler {
  return (c) => {
    const { $schema: _schema, ...document } = nodeInfoToJson(spiralNodeInfo(deps)) as Record<
      string,
      unknown
    >;
    return c.body(JSON.stringify(document), 200, { "Content-Type": NODEINFO_TYPE });
  };
}

/**
 * The compact JSON of a meeting's Event with its status as Mobilizon reads it (`ical:status`,
 * CONFIRMED, TENTATIVE or CANCELLED). Fedify's vocabulary has no such property, so the term and
 * its prefix are added to the JSON it writes.
 */
async function eventJson(
  event: Event,
  payload: MeetingPayload,
  contextLoader: DocumentLoader,
): Promise<Record<string, unknown>> {
  const compact = (await event.toJsonLd({ format: "compact", contextLoader })) as Record<
    string,
    unknown
  >;
  const context = compact["@context"];
  const contexts = Array.isArray(context) ? context : context === undefined ? [] : [context];
  return {
    ...withFullPublicAddressing(compact),
    "@context": [...contexts, { ical: ICAL }],
    "ical:status": ICAL_STATUS[payload.status],
  };
}

/**
 * GET /meetings/{uuid} and /syntheses/{uuid} for federation clients: the public Event (with its
 * iCalendar status) or Article, the public collection written in full; browsers (and what is
 * not public) go on to the next handler.
 */
export function objectHandler(
  federation: Federation<FederationDeps>,
  deps: FederationDeps,
  publicUrl: string,
  kind: "meeting" | "synthesis",
): MiddlewareHandler {
  return async (c, next) => {
    if (!wantsActivityJson(c.req.header("accept"))) return next();
    const ctx = federation.createContext(new URL(publicUrl), deps);
    const uuid = c.req.param("uuid") ?? "";
    let json: Record<string, unknown> | undefined;
    if (kind === "meeting") {
      const found = publicMeetingEvent(ctx, uuid);
      if (found) json = await eventJson(found.event, found.payload, ctx.contextLoader);
    } else {
      const article = publicSynthesisArticle(ctx, uuid);
      const compact = await article?.toJsonLd({
        format: "compact",
        contextLoader: ctx.contextLoader,
      });
      if (compact) json = withFullPublicAddressing(compact as Record<string, unknown>);
    }
    if (!json) return next();
    return c.body(JSON.stringify(json), 200, { "Content-Type": ACTIVITY_TYPE, Vary: "Accept" });
  };
}
