import { type Actor, getActorTypeName, PropertyValue } from "@fedify/vocab";
import type { ActorPreviewView } from "@spiral-network/admin-ui/admin/network-page";
import type { NetworkService } from "../federation/network";
import { PrivateAddressRefused } from "../federation/network-errors";
import { InvalidInputError, NotFoundError, UpstreamError } from "../services/errors";
import { TARGET_MAX } from "./actor-target";

export { TARGET_MAX };

/** What the workspace shows of an actor before following it (the view type admin-ui owns). */
export type ActorPreview = ActorPreviewView;

export type PreviewResult =
  | { ok: true; preview: ActorPreview }
  | { ok: false; reason: "invalid" | "private" | "unreachable" | "timeout" | "too-large" };

const MAX_FIELDS = 12;
const MAX_TEXT = 1000;

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/** Remote HTML as plain text: tags dropped, common entities decoded, bounded in length. */
export function plainText(html: string, max = MAX_TEXT): string {
  const text = html
    .replace(/<br\s*\/?>|<\/p>/gi, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith("#x") || name.startsWith("#X")) {
        const code = Number.parseInt(name.slice(2), 16);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      if (name.startsWith("#")) {
        const code = Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const textOf = (value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const text = plainText(String(value));
  return text === "" ? undefined : text;
};

/** Reads what the preview shows from a looked-up actor (embedded fields only: no more fetching). */
export async function toPreview(actor: Actor): Promise<ActorPreview> {
  const type = getActorTypeName(actor);
  const fields: ActorPreview["fields"] = [];
  try {
    for await (const attachment of actor.getAttachments({ suppressError: true })) {
      if (fields.length >= MAX_FIELDS) break;
      if (!(attachment instanceof PropertyValue)) continue;
      const name = textOf(attachment.name);
      const value = textOf(attachment.value);
      if (name && value) fields.push({ name, value });
    }
  } catch {
    // Attachments given by reference that cannot be read: the preview goes without them.
  }
  const username = textOf(actor.preferredUsername);
  const url = actor.url instanceof URL ? actor.url.href : actor.url?.href?.href;
  return {
    id: actor.id?.href ?? "",
    handle: username && actor.id ? `@${username}@${actor.id.host}` : undefined,
    name: textOf(actor.name),
    summary: textOf(actor.summary),
    type,
    kind: type === "Organization" ? "territory" : type === "Group" ? "subnetwork" : "other",
    fields,
    manuallyApprovesFollowers: actor.manuallyApprovesFollowers === true,
    url: url && /^https?:/.test(url) ? url : undefined,
  };
}

/**
 * Looks a handle (@slug@host) or actor URL up with the federation's own look-up, for the preview
 * before a follow. Bad input and unreachable or non-actor targets come back as reasons, not throws.
 */
export async function previewActor(
  lookUp: (target: string) => ReturnType<NetworkService["lookUp"]>,
  target: string,
): Promise<PreviewResult> {
  const trimmed = target.trim();
  if (trimmed.length < 3 || trimmed.length > TARGET_MAX) return { ok: false, reason: "invalid" };
  try {
    const actor = await lookUp(trimmed);
    return { ok: true, preview: await toPreview(actor) };
  } catch (error) {
    if (error instanceof PrivateAddressRefused) return { ok: false, reason: "private" };
    if (error instanceof InvalidInputError) return { ok: false, reason: "invalid" };
    if (error instanceof NotFoundError) return { ok: false, reason: "unreachable" };
    if (error instanceof UpstreamError) {
      return { ok: false, reason: error.status === 504 ? "timeout" : "too-large" };
    }
    throw error;
  }
}
