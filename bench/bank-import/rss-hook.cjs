// Preloaded into the measured child (`node -r bench/bank-import/rss-hook.cjs dist/src/cli.js …`): on exit, writes the
// process's own peak RSS (getrusage ru_maxrss, KiB on Linux) and heap figures to $BENCH_RSS_FILE. Used next to
// /usr/bin/time -v (when present) and instead of it when absent. Costs nothing while the child runs.
'use strict';
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', (code) => {
    const heap = require('node:v8').getHeapStatistics();
    require('node:fs').writeFileSync(
      file,
      JSON.stringify({
        code,
        maxRssKiB: process.resourceUsage().maxRSS,
        cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
        peakMallocedKiB: Math.round(heap.peak_malloced_memory / 1024),
        heapTotalKiB: Math.round(heap.total_heap_size / 1024),
      }),
    );
  });
}
