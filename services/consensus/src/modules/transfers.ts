import { MAX_SUPPLY } from '@balanceai/chain';
import type { Ledger, LedgerEvent } from '../ledger/ledger.js';

/** A module broke the contract (overdraw, debit of a non-signer, mint by a non-minter): stop, never fork. */
export class ModuleFault extends Error {}

export interface ModuleTransfer {
  kind: 'debit' | 'credit' | 'mint';
  from: string;
  to: string;
  amount: bigint;
}

/**
 * Re-checks and applies one module's transfers to the ledger, in order (docs/architecture.md §3 step 2):
 * a debit moves a signer's free balance of this block into the module's account, a credit moves funds
 * out of the module's account (or a fund it pays from), a mint (emissions only) creates issuance
 * within the 21M cap.
 */
export function applyModuleTransfers(
  ledger: Ledger,
  module: { name: string; account: string; mayMint: boolean; funds?: ReadonlySet<string> },
  transfers: ModuleTransfer[],
  signers: ReadonlySet<string>,
): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  for (const t of transfers) {
    if (t.amount <= 0n) throw new ModuleFault(`${module.name}: transfer of a non-positive amount ${t.amount}`);
    switch (t.kind) {
      case 'debit': {
        if (!signers.has(t.from)) throw new ModuleFault(`${module.name}: debit of ${t.from}, which signed none of its calls in this block`);
        if (t.to !== module.account) throw new ModuleFault(`${module.name}: debit into ${t.to}, not its own account`);
        move(ledger, module.name, t.from, t.to, t.amount);
        break;
      }
      case 'credit': {
        // Out of the module's own account, or out of a fund the genesis gives it to pay from
        // (the staking reward pot for staking, the grants funds for models).
        if (t.from !== module.account && !module.funds?.has(t.from)) throw new ModuleFault(`${module.name}: credit out of ${t.from}, not its own account`);
        move(ledger, module.name, t.from, t.to, t.amount);
        break;
      }
      case 'mint': {
        if (!module.mayMint) throw new ModuleFault(`${module.name}: only the emissions module may mint`);
        if (ledger.totalIssuance + t.amount > MAX_SUPPLY) throw new ModuleFault(`${module.name}: mint of ${t.amount} would exceed the 21M cap`);
        const to = ledger.get(t.to);
        ledger.set(t.to, { ...to, free: to.free + t.amount });
        ledger.totalIssuance += t.amount;
        break;
      }
    }
    events.push({ module: 'Balances', name: t.kind === 'mint' ? 'Minted' : 'Transfer', data: { from: t.from, to: t.to, amount: t.amount.toString() } });
  }
  return events;
}

function move(ledger: Ledger, module: string, from: string, to: string, amount: bigint): void {
  const a = ledger.get(from);
  if (a.free < amount) throw new ModuleFault(`${module}: overdraws ${from} (free ${a.free}, transfer ${amount})`);
  ledger.set(from, { ...a, free: a.free - amount });
  const b = ledger.get(to);
  ledger.set(to, { ...b, free: b.free + amount });
}
