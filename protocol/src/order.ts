/**
 * Orders strings by UTF-16 code units, as `Array.prototype.sort` does by default: the same on
 * every node whatever its locale (unlike `localeCompare`), so sorted output hashes the same.
 */
export const compareCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
