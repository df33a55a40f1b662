import { contentHash } from "@spiral-network/protocol";
import type { Context } from "hono";
import { z } from "zod";
import { InvalidInputError, NotFoundError, UpstreamError } from "../services/errors";
import type { GridService, GridVersionView } from "../services/grids";
import { guardedGet, OutboundError, type OutboundPolicy } from "./outbound";

/**
 * Grid documents (docs/protocol.md, "Grid documents"): a territory's actor links the grid
 * version it codes with, served at a stable URL with its content hash; another node fetches it
 * (through the outbound guard), checks it and holds it as offered to its admins. Nothing here
 * adopts a grid: that is an admin's import.
 */

export const GRID_MEDIA_TYPE = "application/vnd.spiral.grid+json";
export const GRID_DOCUMENT_TYPE = "spiral/grid@1";

/** The stable URL of a grid version's document on a node. */
export const gridDocumentUrl = (publicUrl: string, id: string, version: string): string =>
  `${publicUrl}/grids/${encodeURIComponent(id)}/${encodeURIComponent(version)}`;

/** What a territory's actor says about its grid (an attachment, beside the profile fields). */
export const gridLink = (publicUrl: string, grid: { id: string; version: string }) => ({
  href: gridDocumentUrl(publicUrl, grid.id, grid.version),
  name: `${grid.id} ${grid.version}`,
  mediaType: GRID_MEDIA_TYPE,
});

const envelopeSchema = z.object({
  type: z.literal(GRID_DOCUMENT_TYPE),
  id: z.url(),
  grid: z.strictObject({ id: z.string().min(1), version: z.string().min(1) }),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, "a sha256: content hash"),
  document: z.record(z.string(), z.unknown()),
});

/** GET /grids/{id}/{version}: the document, its hash in the body and as the ETag. */
export function gridDocumentHandler(grids: GridService, publicUrl: string) {
  return (c: Context) => {
    const id = c.req.param("id") ?? "";
    const version = c.req.param("version") ?? "";
    try {
      const { document, hash } = grids.document(id, version);
      return c.json(
        {
          type: GRID_DOCUMENT_TYPE,
          id: gridDocumentUrl(publicUrl, id, version),
          grid: { id, version },
          hash,
          document,
        },
        200,
        {
          "Content-Type": GRID_MEDIA_TYPE,
          ETag: `"${hash}"`,
          "Cache-Control": "public, max-age=3600",
        },
      );
    } catch (error) {
      if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
      throw error;
    }
  };
}

const actorSchema = z.looseObject({
  id: z.string(),
  attachment: z.unknown().optional(),
});
const linkSchema = z.looseObject({
  type: z.literal("Link"),
  href: z.string(),
  mediaType: z.literal(GRID_MEDIA_TYPE),
});

const upstream = (error: unknown): never => {
  if (error instanceof OutboundError) {
    throw error.kind === "timeout"
      ? new UpstreamError(504, "upstream_timeout", error.message)
      : error.kind === "too-large"
        ? new UpstreamError(502, "upstream_too_large", error.message)
        : new InvalidInputError(error.message);
  }
  throw new InvalidInputError(`could not fetch: ${(error as Error).message}`);
};

async function getJson(url: URL, accept: string, policy: OutboundPolicy) {
  const response = await guardedGet(url, { accept }, policy).catch(upstream);
  if (response.status !== 200) {
    throw new InvalidInputError(`${url.href} answered ${response.status}`);
  }
  try {
    return { url: response.url, json: JSON.parse(response.body) as unknown };
  } catch {
    throw new InvalidInputError(`${url.href} did not answer JSON`);
  }
}

/**
 * Fetches the grid version a territory actor links: the actor, then its grid link, which must
 * be on the actor's own origin (a territory speaks for its own grid document only); the
 * document must name the version its URL names and hash to what it says. Held as offered.
 */
export function createGridFetcher(grids: GridService, policy: OutboundPolicy) {
  return {
    async fetchGrid(actorUrl: string): Promise<GridVersionView> {
      if (!URL.canParse(actorUrl)) throw new InvalidInputError(`"${actorUrl}" is not a URL`);
      const actor = await getJson(new URL(actorUrl), "application/activity+json", policy);
      const parsed = actorSchema.safeParse(actor.json);
      if (!parsed.success || parsed.data.id !== actor.url.href) {
        throw new InvalidInputError(`${actorUrl} is not an actor document of its own URL`);
      }
      const attachments = [parsed.data.attachment ?? []].flat();
      const link = attachments.map((a) => linkSchema.safeParse(a)).find((r) => r.success)?.data;
      if (!link || !URL.canParse(link.href)) {
        throw new InvalidInputError(`${actorUrl} links no grid document`);
      }
      const href = new URL(link.href);
      if (href.origin !== actor.url.origin) {
        throw new InvalidInputError(
          `${actorUrl} links a grid document on another origin (${href.origin}): refused`,
        );
      }
      const fetched = await getJson(href, GRID_MEDIA_TYPE, policy);
      if (fetched.url.origin !== actor.url.origin) {
        throw new InvalidInputError(`the grid document of ${actorUrl} moved to another origin`);
      }
      const envelope = envelopeSchema.safeParse(fetched.json);
      if (!envelope.success) {
        throw new InvalidInputError(
          `${href.href} is not a grid document: ${envelope.error.issues[0]?.message ?? ""}`,
        );
      }
      const { grid, document, hash } = envelope.data;
      if (
        envelope.data.id !== href.href ||
        document.id !== grid.id ||
        document.version !== grid.version
      ) {
        throw new InvalidInputError(`${href.href} names another grid version than it holds`);
      }
      if (contentHash(document) !== hash) {
        throw new InvalidInputError(`${href.href} does not hash to the ${hash} it announces`);
      }
      return grids.offer(document, hash, href.href);
    },
  };
}
export type GridFetcher = ReturnType<typeof createGridFetcher>;
