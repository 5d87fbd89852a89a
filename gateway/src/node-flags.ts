/**
 * V8 flags every launcher of the gateway passes (npm start, bench/, the Dockerfile's CMD, the
 * gateway's own `start` script). Under ingest load the default 16 MB young-generation
 * semi-spaces let ~160 MB of short-lived request garbage pile up before a scavenge; 4 MB keeps
 * peak RSS ~50–90 MB lower at unchanged throughput (BENCHMARKS.md, memory).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
