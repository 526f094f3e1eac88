import { type Call, type KeyPair, mortalEra, signExtrinsic } from '@balanceai/chain';

/** Blocks a signed transaction stays valid for: mortal, so it can never be replayed after its era. */
export const TX_MORTALITY_BLOCKS = 64;

/** Everything a signature commits to besides the call, as read from the chain (see signingContext). */
export interface SigningInputs {
  nonce: number;
  tip: bigint;
  /** The era's birth: a finalized block, so its hash is one every validator agrees on. */
  birth: { number: number; hash: Uint8Array };
  runtime: { specVersion: number; transactionVersion: number; genesisHash: Uint8Array };
}

/**
 * A signed extrinsic, mortal for TX_MORTALITY_BLOCKS from `birth`: once a reaped account's nonce restarts
 * at 0, an immortal transaction it signed earlier could be replayed; a mortal one expires.
 */
export function signCall(pair: KeyPair, call: Call, inputs: SigningInputs): Uint8Array {
  return signExtrinsic(
    pair,
    call,
    { era: mortalEra(inputs.birth.number, TX_MORTALITY_BLOCKS), nonce: inputs.nonce, tip: inputs.tip },
    { ...inputs.runtime, birthHash: inputs.birth.hash },
  );
}
