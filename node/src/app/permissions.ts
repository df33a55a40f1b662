import { ForbiddenError } from "../services/errors";
import type { Role } from "../services/users";

/**
 * What an action needs. Each rule lives here once; the JSON API and the workspace both ask it
 * (docs/architecture.md, "The application layer").
 */
export type Permission =
  /** Read the node's territories, their groups, criteria, figures and network. */
  | "read"
  /**
   * Change a territory's data: groups, criteria, imports, syntheses, meetings, following,
   * followers (and whether they are approved by hand), relays, joined sub-networks.
   */
  | "edit"
  /** Create, change and disable accounts. */
  | "manageUsers"
  /** Node-wide settings: create territories and change their profiles, host sub-networks. */
  | "manageNode"
  /** Take the territory's raw data out of the node (its criteria as CSV). */
  | "export"
  /** Approve or remove a hosted sub-network's members (admins, and its moderators who edit). */
  | "moderate";

const RULES: Readonly<Record<Permission, readonly Role[]>> = {
  read: ["admin", "facilitator", "viewer"],
  edit: ["admin", "facilitator"],
  manageUsers: ["admin"],
  manageNode: ["admin"],
  export: ["admin"],
  moderate: ["admin", "facilitator"],
};

/**
 * Who is acting. Accounts are per node: an account's role holds in every territory the node
 * hosts, so `territory` is the one the actor is working on, not a limit of its rights.
 */
export interface Actor {
  /** The account (null for the node's legacy admin token). */
  accountId: number | null;
  role: Role;
  /** What the audit log records: `user:<email>`, or `admin` for the legacy admin token. */
  audit: string;
  territory?: string;
}

export const allows = (role: Role, permission: Permission): boolean =>
  RULES[permission].includes(role);

/** Throws ForbiddenError (403) unless the actor's role allows the permission. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!allows(actor.role, permission)) {
    throw new ForbiddenError(`the ${actor.role} role does not allow this (${permission})`);
  }
}

/** The roles that hold a permission (for the workspace's navigation and route guards). */
export const rolesFor = (permission: Permission): readonly Role[] => RULES[permission];

const WRITE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** API writes that need more than `edit`. */
const NODE_WRITES: ReadonlyArray<[string, RegExp]> = [
  ["POST", /^\/api\/v1\/territories$/],
  ["POST", /^\/api\/v1\/subnetworks$/],
  ["PATCH", /^\/api\/v1\/subnetworks\/[^/]+$/],
  ["POST", /^\/api\/v1\/grids(\/preview|\/fetch|\/[^/]+\/[^/]+\/accept)?$/],
];
const MEMBER_WRITE = /^\/api\/v1\/subnetworks\/([^/]+)\/members\/[^/]+(\/approval)?$/;

/**
 * The permission an API request needs, from its method and path; `subnetwork` names the hosted
 * sub-network whose moderators may also act.
 */
export function permissionOfRequest(
  method: string,
  path: string,
): { permission: Permission; subnetwork?: string } {
  if (!WRITE.has(method)) return { permission: "read" };
  const member = MEMBER_WRITE.exec(path);
  if (member?.[1]) return { permission: "moderate", subnetwork: member[1] };
  const node = NODE_WRITES.some(([m, re]) => m === method && re.test(path));
  return { permission: node ? "manageNode" : "edit" };
}
