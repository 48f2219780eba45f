// Awaiting what a PerudoClient (client/) reports, with a timeout that names what was awaited.
import type { ClientEvents, ClientStatus, PerudoClient, StateView } from "../../client/index.ts";

const DEFAULT_TIMEOUT_MS = 15_000;

/** The next `type` event that satisfies `where` (or the current value, for state/status, if it already does). */
export function nextEvent<K extends keyof ClientEvents>(
  client: PerudoClient,
  type: K,
  where: (value: ClientEvents[K]) => boolean = () => true,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${client.room}: no matching "${type}" event within ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const off = client.on(type, (value) => {
      if (!where(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Resolves once the client's status is `status` (now or later). */
export async function untilStatus(client: PerudoClient, status: ClientStatus, timeoutMs?: number): Promise<void> {
  if (client.status === status) return;
  await nextEvent(client, "status", (s) => s === status, timeoutMs);
}

/** The client's current state if it satisfies `where`, else the next one that does. */
export async function untilState(client: PerudoClient, where: (state: StateView) => boolean, timeoutMs?: number): Promise<StateView> {
  if (client.state && where(client.state)) return client.state;
  return nextEvent(client, "state", where, timeoutMs);
}
