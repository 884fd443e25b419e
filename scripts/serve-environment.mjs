// The environment `npm start` gives the headless server it runs (scripts/start.mjs); the
// bench (test/bench/servers.ts) starts Mailport with the same one, so it measures what a user
// who starts Mailport that way runs.

/**
 * glibc raises its mmap threshold each time an mmapped block is freed, and memory freed under
 * the new threshold then stays in the heap: about 130 MiB left after the bench's workloads on
 * 10,000 messages, against 73 MiB with the threshold fixed at its default (measured in
 * /proc/<pid>/smaps; docs/performance.md). Only the environment at exec can fix it, so the
 * launcher does; a setting of the user's own is kept.
 */
export function serveEnvironment(env, platform = process.platform) {
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (platform !== 'linux' || tunables.includes('mmap_threshold')) return env;
  const fixed = 'glibc.malloc.mmap_threshold=131072';
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${fixed}` : fixed };
}
