/*
 * Which pallets' storage each module service serves. Consensus forwards a storage key to the module that
 * owns its twox128 pallet prefix, so the list is the routing table: a pallet missing here is unreadable
 * even if the module builds its entries, and a pallet listed for two modules would be ambiguous.
 */
export const MODULE_STORAGE_PALLETS = {
  emissions: ['Emissions'],
  // One session per era: the elected set and the era index are the staking module's state.
  staking: ['Staking', 'Session'],
  models: ['Models'],
  bridge: ['Bridge'],
} as const satisfies Record<string, readonly string[]>;

/** The pallets a module serves (none for a module not listed). */
export function modulePallets(module: string): readonly string[] {
  return (MODULE_STORAGE_PALLETS as Record<string, readonly string[]>)[module] ?? [];
}
