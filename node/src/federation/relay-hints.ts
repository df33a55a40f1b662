const HINT_TTL_MS = 10 * 60 * 1000;

/**
 * Remembers which relay handed us an activity, from the moment it is routed until its handler
 * stores it (Fedify may run the handler later, from its queue, outside the caller's async
 * context), so received syntheses can say "via".
 */
export function createRelayHints(now: () => number = Date.now) {
  const hints = new Map<string, { via: string; at: number }>();
  return {
    note(activityId: URL | null, via: string): void {
      if (!activityId) return;
      const cutoff = now() - HINT_TTL_MS;
      for (const [id, hint] of hints) if (hint.at < cutoff) hints.delete(id);
      hints.set(activityId.href, { via, at: now() });
    },
    /** Whether the activity came through a relay or a pull (not delivered by its own actor). */
    has(activityId: URL | null): boolean {
      return activityId !== null && hints.has(activityId.href);
    },
    take(activityId: URL | null): string | null {
      if (!activityId) return null;
      const hint = hints.get(activityId.href);
      hints.delete(activityId.href);
      return hint?.via ?? null;
    },
  };
}
export type RelayHints = ReturnType<typeof createRelayHints>;
