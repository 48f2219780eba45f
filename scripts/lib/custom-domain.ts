// Attaching the hostname as a Workers Custom Domain after the upload, with Cloudflare's Attach
// Domain API and no override flags: an existing DNS record (100117) or another Worker holding
// the hostname (100116) fails loudly instead of being replaced, and the Worker's other custom
// domains are untouched (unlike wrangler's --domain, which replaces the whole set).
import { CloudflareApiError, type CloudflareClient, type WorkerDomain } from "./cloudflare-api.ts";
import { CredentialsError, DeployError, PreflightError } from "./errors.ts";

export const EXISTING_DNS_RECORD_CODE = 100117;
export const HELD_BY_ANOTHER_WORKER_CODE = 100116;

export interface AttachInput {
  accountId: string;
  zoneId: string;
  zoneName: string;
  domain: string;
  workerName: string;
}

export async function attachCustomDomain(client: CloudflareClient, input: AttachInput): Promise<WorkerDomain> {
  let attached: WorkerDomain;
  try {
    attached = await client.attachWorkerDomain(input.accountId, {
      hostname: input.domain,
      service: input.workerName,
      zone_id: input.zoneId,
    });
  } catch (error) {
    throw attachError(error, input);
  }
  if (attached.hostname.toLowerCase() !== input.domain || attached.service !== input.workerName) {
    throw new PreflightError(
      `Cloudflare answered the attach of ${input.domain} with ${attached.hostname} -> ${attached.service}; expected ${input.domain} -> ${input.workerName}.`,
    );
  }
  return attached;
}

export function attachError(error: unknown, input: AttachInput): Error {
  if (!(error instanceof CloudflareApiError)) return error instanceof Error ? error : new Error(String(error));
  const uploaded = `The Worker ${input.workerName} was uploaded, but ${input.domain} does not serve it.`;
  if (error.hasCode(EXISTING_DNS_RECORD_CODE)) {
    return new PreflightError(
      `Cannot attach ${input.domain}: a DNS record already exists there (${error.details}). This deploy never overrides DNS records.\n` +
        `Delete the record (Cloudflare dashboard > ${input.zoneName} > DNS) and run the deploy again. ${uploaded}`,
    );
  }
  if (error.hasCode(HELD_BY_ANOTHER_WORKER_CODE)) {
    return new PreflightError(
      `Cannot attach ${input.domain}: it is held by another Worker (${error.details}). This deploy never takes a hostname over.\n` +
        `Detach it from that Worker (dashboard > Workers & Pages > <that Worker> > Settings > Domains & Routes) and run the deploy again. ${uploaded}`,
    );
  }
  if (error.kind === "auth") {
    return new CredentialsError(
      `The deploy token may not attach custom domains (${error.message}). It needs the permissions in docs/permissions.md; recreate it with \`pulumi up\`. ${uploaded}`,
    );
  }
  if (error.kind === "transient") {
    return new DeployError(`Attaching ${input.domain} kept failing (${error.message}); run the deploy again. ${uploaded}`);
  }
  return new PreflightError(`Cloudflare refused to attach ${input.domain} to ${input.workerName}: ${error.message}. ${uploaded}`);
}
