import { type ProgressFilter, pathCodeSchema } from "@spiral-network/protocol";

/** The filters of progress figures from a query (unknown values are left out). */
export function progressFilterOf(query: (name: string) => string | undefined) {
  const code = (query("code") ?? "").trim().toUpperCase();
  const country = (query("country") ?? "").trim().toUpperCase();
  const cycle = (query("cycle") ?? "").trim();
  const category = (query("category") ?? "").trim();
  const phase = query("phase");
  const filter: ProgressFilter = {};
  if (pathCodeSchema.safeParse(code).success) filter.code = code;
  if (/^[A-Z]{2}$/.test(country)) filter.country = country;
  if (/^[0-3]$/.test(cycle)) filter.cycle = Number(cycle);
  if (/^[a-z0-9-]{1,64}$/.test(category)) filter.category = category;
  if (phase === "ex-ante" || phase === "ex-post") filter.phase = phase;
  const region = (query("region") ?? "").trim();
  if (region.length > 0 && region.length <= 100) filter.region = region;
  return { filter, echo: { code, country, cycle, category } };
}
