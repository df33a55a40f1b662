import { InvalidInputError } from "../services/errors";

// Apart from ./network.ts so that the workspace names this refusal without loading Fedify
// (docs/architecture.md, "How federation is loaded").

/**
 * Fedify refuses loopback and private-network addresses unless `ALLOW_PRIVATE_ADDRESSES=true`
 * (protection against server-side request forgery). Said as such: "unreachable" would mislead
 * someone trying a local demo network.
 */
export class PrivateAddressRefused extends InvalidInputError {
  constructor(target: string) {
    super(`${target} is on this machine or a private network, which this node does not contact`, [
      {
        path: "target",
        message:
          "private and loopback addresses are refused; set ALLOW_PRIVATE_ADDRESSES=true only for a local demo network",
      },
    ]);
  }
}
