import type { Period } from "@spiral-network/protocol";
import type { GridFetcher } from "../federation/grid-documents";
import type { NetworkService } from "../federation/network";
import { ForbiddenError, InvalidInputError } from "../services/errors";
import type { Services } from "../services/index";
import type { MeetingInput } from "../services/meetings";
import type { UserView } from "../services/users";
import { type Actor, allows, authorize, type Permission, permissionOfRequest } from "./permissions";
import { createQueries } from "./queries";

export type { Actor, Permission } from "./permissions";
export { allows, authorize, permissionOfRequest, rolesFor } from "./permissions";
export { mayRead } from "./queries";

/** The actor of a signed-in account (workspace session or personal API token). */
export const accountActor = (user: UserView, territory?: string): Actor => ({
  accountId: user.id,
  role: user.role,
  audit: `user:${user.email}`,
  ...(territory ? { territory } : {}),
});

/** The node's legacy admin token (ADMIN_TOKEN): an admin that is no account. */
export const ADMIN_TOKEN_ACTOR: Actor = { accountId: null, role: "admin", audit: "admin" };

/**
 * The application layer (docs/architecture.md, "The application layer"): the queries and commands
 * that both the JSON API and the workspace call, each checking the permission it needs, so a rule
 * lives once. Built once in `createNode` over the domain services.
 */
export function createApplication(
  services: Services,
  network?: NetworkService,
  gridFetcher?: GridFetcher,
) {
  /** The federation's network service (absent in a node built without federation). */
  const net = (): NetworkService => {
    if (!network) throw new Error("the network service is not available");
    return network;
  };
  /** Whoever manages the node, and the sub-network's moderators whose role may moderate. */
  const mayModerate = (actor: Actor, subnetwork: string) =>
    allows(actor.role, "manageNode") ||
    (allows(actor.role, "moderate") &&
      actor.accountId !== null &&
      services.subnetworks.isModerator(subnetwork, actor.accountId));

  /** Throws ForbiddenError unless the actor may moderate the hosted sub-network. */
  const moderate = (actor: Actor, subnetwork: string): void => {
    authorize(actor, "moderate");
    if (!mayModerate(actor, subnetwork)) {
      throw new ForbiddenError("only admins and the sub-network's moderators may do this");
    }
  };

  const ownAccount = (actor: Actor): number => {
    if (actor.accountId === null) {
      throw new ForbiddenError("the node's admin token is no account: sign in to manage tokens");
    }
    return actor.accountId;
  };

  /**
   * A command that needs `permission` and whose service records the actor's audit name (its
   * last argument): the command takes the actor first and the service's other arguments.
   */
  const audited =
    (permission: Permission) =>
    <A extends unknown[], R>(fn: (...args: [...A, string]) => R) =>
    (actor: Actor, ...args: A): R => {
      authorize(actor, permission);
      return fn(...args, actor.audit);
    };
  const edit = audited("edit");
  const manageNode = audited("manageNode");
  const manageUsers = audited("manageUsers");
  const { groups, criteria, imports, progress } = services;
  const queries = createQueries(services, network);

  return {
    ...queries,
    authorize,
    mayModerate,
    groups: {
      ...queries.groups,
      create: edit(groups.create.bind(groups)),
      update: edit(groups.update.bind(groups)),
      delete: edit(groups.delete.bind(groups)),
    },
    criteria: {
      ...queries.criteria,
      add: edit(criteria.add.bind(criteria)),
      update: edit(criteria.update.bind(criteria)),
      delete: edit(criteria.delete.bind(criteria)),
      /** Classifying a criterion again also takes it off the grid review queue. */
      classify: edit((...args: Parameters<typeof criteria.classify>) => {
        const result = criteria.classify(...args);
        services.grids.resolveReview(args[1]);
        return result;
      }),
      validate: edit(criteria.validate.bind(criteria)),
    },
    categories: {
      ...queries.categories,
      /** A new group category (for the node's territories) needs `edit`. */
      add(actor: Actor, input: Parameters<typeof services.categories.add>[0]) {
        authorize(actor, "edit");
        return services.categories.add(input, actor.audit);
      },
    },
    /** Undoing a deletion (a criterion, a group with its criteria) within its few minutes. */
    trash: {
      ...queries.trash,
      restore: edit(services.trash.restore.bind(services.trash)),
    },
    /** Checks what an API request needs (its permission from method and path). */
    authorizeRequest(actor: Actor, method: string, path: string): void {
      const { permission, subnetwork } = permissionOfRequest(method, path);
      if (permission === "moderate" && subnetwork) moderate(actor, subnetwork);
      else authorize(actor, permission);
    },
    imports: {
      import: edit(imports.import.bind(imports)),
      /**
       * An import sent from a form carrying a one-time key: a second submission of the same form
       * (double click, reload) answers the first import's result instead of importing again.
       */
      importOnce(
        actor: Actor,
        slug: string,
        key: string,
        bytes: Uint8Array,
        options: Parameters<typeof imports.import>[2],
      ) {
        authorize(actor, "edit");
        const content = `${slug}\n${JSON.stringify(options)}\n${Buffer.from(bytes).toString("base64")}`;
        return services.once.run(`workspace-import:${actor.audit}`, key, content, () => {
          const { imported } = imports.import(slug, bytes, options, actor.audit);
          return { imported };
        });
      },
      /** A dry run for the import page: needs `edit`, as the import it prepares. */
      preview(
        actor: Actor,
        slug: string,
        bytes: Uint8Array,
        options: Parameters<typeof imports.preview>[2],
        sampleSize?: number,
      ) {
        authorize(actor, "edit");
        return imports.preview(slug, bytes, options, actor.audit, sampleSize);
      },
    },
    territories: {
      ...queries.territories,
      /** The node's territories (accounts are per node: every one is reachable). */
      list(actor: Actor) {
        authorize(actor, "read");
        return services.territories.list();
      },
      /** The territory the actor works on: the one named when the node hosts it, else the first. */
      current(actor: Actor, slug: string | undefined) {
        authorize(actor, "read");
        const all = services.territories.list();
        return all.find((t) => t.slug === slug) ?? all[0];
      },
    },
    syntheses: {
      ...queries.syntheses,
      preview(actor: Actor, slug: string, period: Period, correction: boolean) {
        authorize(actor, "read");
        return services.syntheses.preview(slug, period, correction);
      },
      publish(
        actor: Actor,
        slug: string,
        period: Period,
        correction: boolean,
        options: { subnetworks?: ReadonlyArray<string | number> } = {},
      ) {
        authorize(actor, "edit");
        return services.syntheses.publish(slug, period, correction, actor.audit, options);
      },
      /** How many accepted followers a publication or a withdrawal of the territory reaches. */
      audience(actor: Actor, slug: string): number {
        authorize(actor, "read");
        return services.follows.acceptedFollowers(slug).length;
      },
      withdraw: edit(services.syntheses.withdraw.bind(services.syntheses)),
    },
    /** Meetings: announcing, changing and deleting one needs `edit`. */
    meetings: {
      ...queries.meetings,
      create(
        actor: Actor,
        slug: string,
        input: MeetingInput,
        options: Parameters<typeof services.meetings.create>[3] = {},
      ) {
        authorize(actor, "edit");
        return services.meetings.create(slug, input, actor.audit, options);
      },
      update(
        actor: Actor,
        slug: string,
        id: string,
        patch: Parameters<typeof services.meetings.update>[2],
        options: Parameters<typeof services.meetings.update>[4] = {},
      ) {
        authorize(actor, "edit");
        return services.meetings.update(slug, id, patch, actor.audit, options);
      },
      delete(actor: Actor, slug: string, id: string) {
        authorize(actor, "edit");
        services.meetings.delete(slug, id, actor.audit);
      },
    },
    /** Following, followers and relays: a territory's network needs `edit`. */
    network: {
      ...queries.network,
      follow(actor: Actor, slug: string, target: string) {
        authorize(actor, "edit");
        return net().follow(slug, target);
      },
      unfollow(actor: Actor, slug: string, id: number) {
        authorize(actor, "edit");
        return net().unfollow(slug, id);
      },
      approve(actor: Actor, slug: string, id: number) {
        authorize(actor, "edit");
        return net().approve(slug, id);
      },
      /** Refuses a pending follower or removes an accepted one (sends Reject). */
      remove(actor: Actor, slug: string, id: number) {
        authorize(actor, "edit");
        return net().remove(slug, id);
      },
      relay(actor: Actor, slug: string, receivedId: number) {
        authorize(actor, "edit");
        return net().relay(slug, receivedId);
      },
    },
    /**
     * Sub-networks: hosting one (create, change) is the node's; approving or removing its members
     * is its moderators' (and admins'); joining, leaving and sharing is a territory's edit.
     */
    subnetworks: {
      ...queries.subnetworks,
      create: manageNode(services.subnetworks.create.bind(services.subnetworks)),
      update: manageNode(services.subnetworks.update.bind(services.subnetworks)),
      approveMember(actor: Actor, slug: string, memberId: number) {
        moderate(actor, slug);
        return net().subnetworks.approve(slug, memberId, actor.audit);
      },
      /** Refuses a pending member or removes one (sends Reject). */
      removeMember(actor: Actor, slug: string, memberId: number) {
        moderate(actor, slug);
        return net().subnetworks.remove(slug, memberId, actor.audit);
      },
      join(actor: Actor, territory: string, target: string) {
        authorize(actor, "edit");
        return net().subnetworks.join(territory, target);
      },
      leave(actor: Actor, territory: string, ref: string | number) {
        authorize(actor, "edit");
        return net().subnetworks.leave(territory, ref);
      },
      share(
        actor: Actor,
        territory: string,
        ref: string | number,
        what: Parameters<NetworkService["subnetworks"]["share"]>[2],
      ) {
        authorize(actor, "edit");
        return net().subnetworks.share(territory, ref, what);
      },
    },
    /**
     * Paths of progress, self-survey campaigns and their publication: reading needs `read`,
     * writing a path, running a campaign, typing in paper answers and publishing need `edit`.
     * Answering with a one-time code is public and is not here (it needs no account).
     */
    progress: {
      ...queries.progress,
      savePath: edit(progress.savePath.bind(progress)),
      createCampaign: edit(progress.createCampaign.bind(progress)),
      setClosed: edit(progress.setClosed.bind(progress)),
      issueCodes: edit(progress.issueCodes.bind(progress)),
      enterPaper: edit(progress.enterPaper.bind(progress)),
      publish(
        actor: Actor,
        slug: string,
        campaign: string,
        options: { subnetworks?: ReadonlyArray<string | number> } = {},
      ) {
        authorize(actor, "edit");
        return progress.publish(slug, campaign, actor.audit, options);
      },
      /** Withdraws the campaign's published progress (a Delete to followers and sub-networks). */
      withdraw(actor: Actor, slug: string, campaign: string) {
        authorize(actor, "edit");
        progress.withdraw(slug, campaign, actor.audit);
      },
    },
    /**
     * Territory profiles (what the territory's actor shows the network): creating one and
     * changing its profile fields need `manageNode` (admins); whether followers are approved by
     * hand is the territory's `edit`. Followers re-read the actor; no Update is pushed yet.
     */
    territoryProfiles: {
      create: manageNode(services.territories.create.bind(services.territories)),
      update(actor: Actor, slug: string, patch: Parameters<typeof services.territories.update>[1]) {
        const approvalOnly = Object.keys(patch).every((field) => field === "manualApproval");
        authorize(actor, approvalOnly ? "edit" : "manageNode");
        return services.territories.update(slug, patch, actor.audit);
      },
    },
    /** The node's accounts: listing and managing them needs `manageUsers`. */
    accounts: {
      list(actor: Actor) {
        authorize(actor, "manageUsers");
        return services.users.list();
      },
      get(actor: Actor, id: number) {
        authorize(actor, "manageUsers");
        return services.users.get(id);
      },
      create: manageUsers(services.users.create.bind(services.users)),
      changeRole: manageUsers(services.users.changeRole.bind(services.users)),
      /** Someone else's new password (they are signed out everywhere). */
      resetPassword: manageUsers(services.users.resetPassword.bind(services.users)),
      disable: manageUsers(services.users.disable.bind(services.users)),
    },
    /**
     * Grid versions (docs/facilitators-guide.md, "A new grid version"): anyone who reads sees
     * them and the review queue; importing one, accepting an offered one and fetching one from
     * another territory are the node's (admins).
     */
    grids: {
      list(actor: Actor) {
        authorize(actor, "read");
        return {
          active: services.grids.active(),
          versions: services.grids.list(),
          unknown: services.grids.unknownVersions(),
        };
      },
      /** The grid versions the figures know (in use and known), to name their codes. */
      catalog(actor: Actor) {
        authorize(actor, "read");
        return services.grids.catalog();
      },
      /** The document of a version held (offered, known or in use), to preview its import. */
      held(actor: Actor, id: string, version: string) {
        authorize(actor, "manageNode");
        return services.grids.held(id, version);
      },
      preview(actor: Actor, file: string | unknown) {
        authorize(actor, "manageNode");
        return services.grids.preview(file);
      },
      apply(actor: Actor, file: string | unknown) {
        authorize(actor, "manageNode");
        return services.grids.apply(file, actor.audit);
      },
      /** Imports a version held as offered or known (fetched from another territory). */
      adopt(actor: Actor, id: string, version: string) {
        authorize(actor, "manageNode");
        return services.grids.apply(services.grids.held(id, version), actor.audit);
      },
      accept(actor: Actor, id: string, version: string) {
        authorize(actor, "manageNode");
        return services.grids.accept(id, version, actor.audit);
      },
      /** Fetches the grid version a territory's actor links, verified, and holds it as offered. */
      fetchFrom(actor: Actor, territoryActor: string) {
        authorize(actor, "manageNode");
        if (!gridFetcher) throw new Error("fetching grids is not available on this node");
        return gridFetcher.fetchGrid(territoryActor);
      },
      reviews(actor: Actor, slug: string) {
        authorize(actor, "read");
        return services.grids.reviews(slug);
      },
    },
    /** Personal API tokens: each account manages its own (any role, viewers included). */
    apiTokens: {
      list(actor: Actor) {
        return services.apiTokens.listFor(ownAccount(actor));
      },
      create(actor: Actor, label: string) {
        return services.apiTokens.create(ownAccount(actor), label, actor.audit);
      },
      revoke(actor: Actor, id: number) {
        if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidInputError("invalid token id");
        services.apiTokens.revoke(ownAccount(actor), id, actor.audit);
      },
    },
  };
}
export type Application = ReturnType<typeof createApplication>;
