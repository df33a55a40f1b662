import type { PasswordCost } from "@spiral-network/node/services/users";

/**
 * The scrypt cost test nodes hash passwords with: about a millisecond, where the default takes
 * tens to hundreds (the suite signs in close to a thousand times). The default itself is tested
 * in test/admin/accounts.test.ts.
 */
export const TEST_PASSWORD_COST: Readonly<PasswordCost> = Object.freeze({ N: 2 ** 10, r: 8, p: 1 });
