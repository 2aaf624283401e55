// Preloaded into the benchmarked server only (with --expose-gc): SIGUSR2 runs a full GC, so
// the idle benchmark can report the memory held apart from garbage not yet collected.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
