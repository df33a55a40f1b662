/**
 * The limits of every fetch this node makes (docs/running-a-node.md, "Configuration"), apart from
 * ./outbound.ts so that the node's start reads them without loading Fedify (docs/architecture.md,
 * "How federation is loaded").
 */

export interface OutboundLimits {
  /** Longest one fetch may take, from connecting to the last byte of the body (ms). */
  timeoutMs: number;
  /** Largest body read from a remote server (bytes). */
  maxBytes: number;
  /** Longest the anti-entropy pull of one peer may take, every page included (ms). */
  pullTimeoutMs: number;
  /** Peers pulled at the same time. */
  pullConcurrency: number;
  /** Longest one delivery (a POST to an inbox, by Fedify's queue) may hold a queue slot (ms). */
  deliveryTimeoutMs: number;
}

export const DEFAULT_OUTBOUND_LIMITS: OutboundLimits = {
  timeoutMs: 10_000,
  maxBytes: 1024 * 1024,
  pullTimeoutMs: 120_000,
  pullConcurrency: 4,
  deliveryTimeoutMs: 30_000,
};

/** Resolves a host name to all its addresses (tests inject one). */
export type Resolve = (hostname: string) => Promise<string[]>;

export interface OutboundPolicy extends OutboundLimits {
  allowPrivateAddress: boolean;
  userAgent: string;
  resolve?: Resolve | undefined;
}
