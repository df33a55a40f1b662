import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * An order-independent hash of a multiset of texts (docs/protocol.md, "Aggregates, coverage and fingerprints"): the sum,
 * modulo 2^256, of the SHA-256 digests of the elements' UTF-8 bytes, each read as a big-endian
 * unsigned integer. Adding or removing one element is one addition or subtraction, so a hash
 * over a large set is kept up to date in O(1) per change, and the hashes of disjoint sets add up
 * to the hash of their union. The empty multiset hashes to 0.
 *
 * It tells honest nodes whether they hold the same inputs; it is not a commitment an adversary
 * who chooses many of the elements cannot bend (sums of hashes admit generalised-birthday
 * collisions far cheaper than 2^128), so nothing that must resist forgery is decided by it.
 */

/** 2^256: sums are kept in [0, MULTISET_MODULUS). */
export const MULTISET_MODULUS = 1n << 256n;

/** The digest of one element, as the integer the multiset hash adds. */
export function multisetElement(text: string): bigint {
  return BigInt(`0x${bytesToHex(sha256(utf8ToBytes(text)))}`);
}

/** The hash of the multiset after adding an element (or another multiset's hash). */
export function multisetAdd(sum: bigint, element: bigint): bigint {
  return (sum + element) % MULTISET_MODULUS;
}

/** The hash of the multiset after removing an element it holds (or a sub-multiset's hash). */
export function multisetSubtract(sum: bigint, element: bigint): bigint {
  return (((sum - element) % MULTISET_MODULUS) + MULTISET_MODULUS) % MULTISET_MODULUS;
}

/** The multiset hash of texts, from scratch (the reference every incremental sum must equal). */
export function multisetHash(texts: Iterable<string>): bigint {
  let sum = 0n;
  for (const text of texts) sum = multisetAdd(sum, multisetElement(text));
  return sum;
}

/** A sum written as 64 lower-case hex digits (zero-padded). */
export function multisetHex(sum: bigint): string {
  return sum.toString(16).padStart(64, "0");
}

/** A sum read back from `multisetHex` (throws on anything else). */
export function parseMultisetHex(hex: string): bigint {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError("not a 64-digit multiset hash");
  return BigInt(`0x${hex}`);
}
