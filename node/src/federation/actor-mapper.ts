import {
  type CryptographicKey,
  Endpoints,
  Group,
  Link,
  type Multikey,
  Organization,
  PropertyValue,
} from "@fedify/vocab";
import { escapeHtml } from "@spiral-network/protocol";
import type { SubnetworkRow } from "../services/subnetworks";
import type { TerritoryRow } from "../services/territories";

export interface ActorUris {
  id: URL;
  inbox: URL;
  sharedInbox: URL;
  outbox: URL;
  followers: URL;
  following: URL;
  /** The territory's HTML page (the actor URL itself, negotiated). */
  url: URL;
  /** Supplementary collections, here the "known syntheses" used for anti-entropy. */
  streams: URL[];
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
const languageNames = new Intl.DisplayNames(["en"], { type: "language" });

const safeName = (names: Intl.DisplayNames, code: string) => {
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
};

export interface ActorKeys {
  publicKey?: CryptographicKey;
  assertionMethods: Multikey[];
}

/** What a territory's and a sub-network's actors have in common, each with its profile fields. */
function commonActorProperties(
  profile: Pick<TerritoryRow & SubnetworkRow, "slug" | "name" | "description">,
  uris: ActorUris,
  keys: ActorKeys,
  fields: Array<[string, string]>,
) {
  return {
    id: uris.id,
    preferredUsername: profile.slug,
    name: profile.name,
    summary: profile.description ? `<p>${escapeHtml(profile.description)}</p>` : null,
    url: uris.url,
    inbox: uris.inbox,
    outbox: uris.outbox,
    followers: uris.followers,
    following: uris.following,
    endpoints: new Endpoints({ sharedInbox: uris.sharedInbox }),
    streams: uris.streams,
    discoverable: true,
    publicKey: keys.publicKey ?? null,
    assertionMethods: keys.assertionMethods,
    attachments: fields.map(([name, value]) => new PropertyValue({ name, value })),
  };
}

/** A profile link as Mastodon shows a field's value: an escaped anchor. */
function linkHtml(url: string): string {
  const escapeHtml = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const shown = url.replace(/^https?:\/\//, "");
  return `<a href="${escapeHtml(url)}" rel="me nofollow noopener noreferrer" target="_blank">${escapeHtml(shown)}</a>`;
}

/** A territory as an ActivityPub `Organization`, with Mastodon-readable profile fields. */
export function territoryToActor(
  territory: TerritoryRow,
  uris: ActorUris,
  keys: ActorKeys,
  /** The grid version it codes with (docs/protocol.md, "Grid documents"). */
  grid?: { href: string; name: string; mediaType: string },
): Organization {
  const fields: Array<[string, string]> = [
    ["Country", safeName(regionNames, territory.country)],
    ...(territory.region ? ([["Region", territory.region]] as Array<[string, string]>) : []),
    ["Languages", territory.languages.map((l) => safeName(languageNames, l)).join(", ")],
    ["Method", "SPIRAL (TOGETHER network)"],
    ...(territory.links ?? []).map((link): [string, string] => [link.label, linkHtml(link.url)]),
  ];
  const common = commonActorProperties(territory, uris, keys, fields);
  return new Organization({
    ...common,
    attachments: [
      ...common.attachments,
      ...(grid
        ? [
            new PropertyValue({ name: "Grid", value: grid.name }),
            new Link({ href: new URL(grid.href), name: grid.name, mediaType: grid.mediaType }),
          ]
        : []),
    ],
    manuallyApprovesFollowers: territory.manualApproval,
  });
}

/** A sub-network as an ActivityPub `Group` (FEP-1b12): members follow it, it re-announces. */
export function subnetworkToActor(
  subnetwork: SubnetworkRow,
  uris: ActorUris,
  keys: ActorKeys,
): Group {
  const { theme } = subnetwork;
  const fields: Array<[string, string]> = [
    ["Theme", [...theme.dimensions, ...theme.components].join(", ") || "all of the grid"],
    ["Group categories", theme.categories.join(", ") || "all"],
    ["Admission", subnetwork.admission === "open" ? "open" : "approved by a moderator"],
    ["Method", "SPIRAL sub-network (TOGETHER network)"],
  ];
  return new Group({
    ...commonActorProperties(subnetwork, uris, keys, fields),
    manuallyApprovesFollowers: subnetwork.admission === "approval",
  });
}
