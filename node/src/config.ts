import path from "node:path";
import { disclosurePolicySchema } from "@spiral-network/protocol";
import { z } from "zod";
import type { OutboundLimits } from "./federation/outbound";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], {
    message: 'expected "true" or "false"',
  })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default("./data"),
  PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      message: "expected an http(s) URL such as https://spiral.example.org",
    })
    .optional(),
  ALLOW_PRIVATE_ADDRESSES: booleanFlag.default(false),
  TRUST_PROXY: booleanFlag.default(false),
  ADMIN_TOKEN: z
    .string()
    .min(24, "ADMIN_TOKEN must be at least 24 characters (or leave it unset to generate one)")
    .optional(),
  DEMO_DATA: booleanFlag.default(true),
  DISCLOSURE_K: z.coerce.number().optional(),
  DISCLOSURE_MARGIN_MINIMUM: z.coerce.number().optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  ANTI_ENTROPY_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    .max(7 * 24 * 60)
    .default(360),
  OUTBOUND_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300).default(10),
  OUTBOUND_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  PULL_TIMEOUT_SECONDS: z.coerce.number().min(1).max(3600).default(120),
  PULL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  DELIVERY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  allowPrivateAddresses: boolean;
  /** Believe X-Forwarded-For's last entry as the client address (a reverse proxy in front). */
  trustProxy: boolean;
  adminToken: string | undefined;
  demoData: boolean;
  disclosure: z.infer<typeof disclosurePolicySchema>;
  logLevel: "debug" | "info" | "warn" | "error";
  /** How often followed peers' known syntheses are pulled (0 = only when a follow is accepted). */
  antiEntropyIntervalMs: number;
  /** Timeouts and size limits of the node's own requests to other servers. */
  outbound: OutboundLimits;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads the configuration from environment variables; throws ConfigError naming each bad one. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const nonEmpty = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = envSchema.safeParse(nonEmpty);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  const policy = disclosurePolicySchema.safeParse({
    k: parsed.data.DISCLOSURE_K,
    marginMinimum: parsed.data.DISCLOSURE_MARGIN_MINIMUM,
  });
  if (!policy.success) {
    throw new ConfigError(
      describeIssues(policy.error, {
        k: "DISCLOSURE_K",
        marginMinimum: "DISCLOSURE_MARGIN_MINIMUM",
      }),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    allowPrivateAddresses: e.ALLOW_PRIVATE_ADDRESSES,
    trustProxy: e.TRUST_PROXY,
    adminToken: e.ADMIN_TOKEN,
    demoData: e.DEMO_DATA,
    disclosure: policy.data,
    logLevel: e.LOG_LEVEL,
    antiEntropyIntervalMs: e.ANTI_ENTROPY_INTERVAL_MINUTES * 60_000,
    outbound: {
      timeoutMs: Math.round(e.OUTBOUND_TIMEOUT_SECONDS * 1000),
      maxBytes: e.OUTBOUND_MAX_BYTES,
      pullTimeoutMs: Math.round(e.PULL_TIMEOUT_SECONDS * 1000),
      pullConcurrency: e.PULL_CONCURRENCY,
      deliveryTimeoutMs: Math.round(e.DELIVERY_TIMEOUT_SECONDS * 1000),
    },
  };
}

function describeIssues(error: z.ZodError, rename: Record<string, string> = {}): string {
  const lines = error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    return `  ${rename[key] ?? key}: ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join("\n")}`;
}
