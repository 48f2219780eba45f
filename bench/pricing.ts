// Cloudflare's published prices (Workers Paid, Standard usage model), as used by the cost
// section. Marginal prices only: the monthly included usage and the $5 minimum are left out,
// because "what does one more game cost" is the question.
export const PRICES = {
  retrieved: "2026-11-26",
  sources: [
    "https://developers.cloudflare.com/durable-objects/platform/pricing/",
    "https://developers.cloudflare.com/workers/platform/pricing/",
  ],
  workers: {
    /** $ per million requests (inbound requests to the Worker). */
    requestsPerMillion: 0.3,
    /** $ per million CPU milliseconds. */
    cpuMsPerMillion: 0.02,
  },
  durableObjects: {
    /** $ per million requests: HTTP requests, RPC sessions, WebSocket messages, alarm invocations. */
    requestsPerMillion: 0.15,
    /** Incoming WebSocket messages are billed at 20:1 (outgoing ones are free). */
    incomingWebSocketMessagesPerRequest: 20,
    /** $ per million GB-s; duration is billed for 128 MB while the object is not hibernated. */
    gbSecondsPerMillion: 12.5,
    memoryGb: 0.128,
    /** SQLite-backed storage: $ per million rows written (setAlarm = 1 row, deletes count). */
    rowsWrittenPerMillion: 1.0,
    rowsReadPerMillion: 0.001,
    storedGbMonth: 0.2,
  },
} as const;
