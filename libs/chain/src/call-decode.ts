import { CallDecodeError, ScaleError } from './errors.js';
import { ScaleReader } from './scale.js';

/** The call name of each call index of a pallet's call table. */
export function callNames<N extends string>(calls: Readonly<Record<N, number>>): ReadonlyMap<number, N> {
  return new Map<number, N>(Object.entries<number>(calls).map(([name, index]) => [index, name as N]));
}

/**
 * Decodes a call's arguments strictly: an index not in `names` is CallDecodeError, and so are SCALE errors
 * (non-canonical compacts, short input) and trailing bytes after what `read` takes.
 */
export function decodeCallArgs<N extends string, D>(
  pallet: string,
  names: ReadonlyMap<number, N>,
  callIndex: number,
  args: Uint8Array,
  read: (name: N, r: ScaleReader) => D,
): D {
  const name = names.get(callIndex);
  if (!name) throw new CallDecodeError(`unknown ${pallet} call index ${callIndex}`);
  try {
    const r = new ScaleReader(args);
    const out = read(name, r);
    r.assertEnd(`${name} arguments`);
    return out;
  } catch (err) {
    if (err instanceof ScaleError) throw new CallDecodeError(`bad ${name} arguments: ${err.message}`);
    throw err;
  }
}
