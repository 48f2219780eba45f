// Each simulated player connects from its own address: the Worker limits WebSocket upgrades per
// client IP (CF-Connecting-IP, which `wrangler dev` passes through and Cloudflare overwrites), and
// a load of many players from one address is not what the bench measures.
let next = 0;

/** A distinct address per call, from 198.18.0.0/15 (reserved for benchmarking, RFC 2544). */
export function simulatedClientIp(): string {
  next++;
  return `198.${18 + ((next >> 16) & 1)}.${(next >> 8) & 255}.${next & 255}`;
}
