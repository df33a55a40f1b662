import { Router } from "@fedify/uri-template";

/**
 * The paths Fedify serves for this node, and what can be told about a request to them without
 * loading Fedify (docs/architecture.md, "How federation is loaded"). ./federation.ts registers
 * its dispatchers on these same paths; a request elsewhere never needs Fedify.
 */
export const FEDERATION_PATHS = {
  actor: "/actors/{identifier}",
  followers: "/actors/{identifier}/followers",
  following: "/actors/{identifier}/following",
  outbox: "/actors/{identifier}/outbox",
  knownSyntheses: "/actors/{identifier}/known-syntheses",
  inbox: "/actors/{identifier}/inbox",
  sharedInbox: "/inbox",
  synthesis: "/syntheses/{uuid}",
  meeting: "/meetings/{uuid}",
  nodeInfo: "/nodeinfo/2.1",
} as const;

/** Fedify's own routes (WebFinger, the NodeInfo link document): always answered by Fedify. */
const WELL_KNOWN = {
  webfinger: "/.well-known/webfinger",
  nodeInfoJrd: "/.well-known/nodeinfo",
} as const;

/** Routes Fedify answers whatever the client accepts (the others ask for ActivityStreams). */
const ANSWERED_ANYWAY = new Set(["webfinger", "nodeInfoJrd", "nodeInfo"]);

/** How a request on Fedify's side of the URL space can be answered. */
export type FederationRouting =
  /** Not a path Fedify serves: the next handler answers, as Fedify's `onNotFound` does. */
  | "elsewhere"
  /** A GET that cannot want ActivityStreams: Fedify would answer "not acceptable" at once. */
  | "not-acceptable"
  /** Fedify must see it. */
  | "federation";

export function createFederationRouting() {
  const router = new Router();
  const paths: Record<string, `/${string}`> = { ...FEDERATION_PATHS, ...WELL_KNOWN };
  for (const [name, path] of Object.entries(paths)) {
    router.add(path, name);
  }
  return (request: Request): FederationRouting => {
    // A URL's pathname always starts with "/" (Fedify routes `url.pathname` the same way).
    const route = router.route(new URL(request.url).pathname as `/${string}`);
    if (!route) return "elsewhere";
    if (ANSWERED_ANYWAY.has(route.name) || request.method === "POST") return "federation";
    return mayAcceptActivityJson(request.headers.get("accept")) ? "federation" : "not-acceptable";
  };
}

/**
 * Whether an Accept header may make Fedify serve ActivityStreams. Fedify serves it only when the
 * header names application/activity+json, application/ld+json or application/json (and HTML
 * does not come first); a header naming none of them surely gets "not acceptable".
 */
function mayAcceptActivityJson(accept: string | null): boolean {
  if (!accept) return false;
  return ["application/activity+json", "application/ld+json", "application/json"].some((type) =>
    accept.includes(type),
  );
}

/** What Fedify's middleware answers when the client wants no ActivityStreams and no page exists. */
export const notAcceptable = () =>
  new Response("Not acceptable", {
    status: 406,
    headers: { "Content-Type": "text/plain", Vary: "Accept" },
  });

/** Whether the client prefers ActivityStreams JSON over HTML (Fedify's own negotiation rule). */
export function wantsActivityJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept
    .split(",")
    .map((part) => {
      const [type = "", ...params] = part.split(";").map((p) => p.trim());
      const q = params.find((p) => p.startsWith("q="));
      return { type: type.toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q);
  const first = types[0]?.type;
  if (first === "text/html" || first === "application/xhtml+xml") return false;
  return types.some((t) =>
    ["application/activity+json", "application/ld+json", "application/json"].includes(t.type),
  );
}
