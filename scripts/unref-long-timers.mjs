// Preloaded into the Prisma CLI: timers of 5 s or more must not keep the process alive after its work.
const original = globalThis.setTimeout;
globalThis.setTimeout = function patchedSetTimeout(fn, ms, ...args) {
  const t = original(fn, ms, ...args);
  if (typeof ms === 'number' && ms >= 5_000 && typeof t?.unref === 'function') t.unref();
  return t;
};
