// `npm run deploy -- --prune-domains`: after a stack moves to a new hostname, the old hostname is
// still a Custom Domain of the same Worker (the deploy never detaches anything on its own). This
// lists the Worker's Custom Domains other than the configured host *before* the deploy, and
// removes them only once the new host has verified. A pure planner and a thin I/O shell.
import { CloudflareApiError, type CloudflareClient, type WorkerDomain } from "../lib/cloudflare-api.ts";
import { CredentialsError, DeployError, PreflightError } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { StackOutputs } from "../lib/outputs.ts";

export type PruneTarget = Pick<StackOutputs, "accountId" | "workerName" | "domain">;

export interface DomainPrunePlan {
  /** The configured host, if it is attached (never removed). */
  keep: WorkerDomain[];
  /** This Worker's Custom Domains for any other hostname. */
  remove: WorkerDomain[];
}

/** Which of the listed Custom Domains go. Pure: only this Worker's, never the configured host. */
export function planDomainPrune(domains: WorkerDomain[], target: PruneTarget): DomainPrunePlan {
  const own = domains.filter((domain) => domain.service === target.workerName);
  const isConfigured = (domain: WorkerDomain) => domain.hostname.toLowerCase() === target.domain.toLowerCase();
  const byHostname = (a: WorkerDomain, b: WorkerDomain) => a.hostname.localeCompare(b.hostname);
  return { keep: own.filter(isConfigured).sort(byHostname), remove: own.filter((d) => !isConfigured(d)).sort(byHostname) };
}

export interface PreparedDomainPrune {
  /** What will be removed after verification (listed now, before anything is deployed). */
  readonly planned: readonly WorkerDomain[];
  /**
   * Call only after the configured host verified. Re-lists, removes the planned domains that are
   * still attached to this Worker, and returns the removed hostnames.
   */
  apply(): Promise<string[]>;
}

/** Detach a Custom Domain. Cloudflare deletes the DNS record it created for it. */
export async function detachWorkerDomain(client: CloudflareClient, accountId: string, domainId: string): Promise<void> {
  // Cloudflare may answer an empty 200 (the schema gives this response no body): that is success.
  await client.detachWorkerDomain(accountId, domainId);
}

async function listOwnDomains(client: CloudflareClient, target: PruneTarget): Promise<WorkerDomain[]> {
  try {
    return await client.listWorkerDomains(target.accountId, { service: target.workerName });
  } catch (error) {
    if (error instanceof CloudflareApiError && error.kind === "auth") {
      throw new CredentialsError(
        `The deploy token may not list Workers Custom Domains (${error.message}). It needs the permissions in docs/permissions.md; recreate it with \`pulumi up\` for this stack.`,
      );
    }
    throw new PreflightError(`Could not list the Custom Domains of ${target.workerName}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Step 1 of --prune-domains, before the deploy: list (and log) what would go. Step 2 is
 * `apply()`, after verification. Nothing is removed if the caller never calls apply().
 */
export async function prepareDomainPrune(options: {
  client: CloudflareClient;
  target: PruneTarget;
  logger: Logger;
}): Promise<PreparedDomainPrune> {
  const { client, target, logger } = options;
  const plan = planDomainPrune(await listOwnDomains(client, target), target);
  if (plan.remove.length === 0) {
    logger.info(`--prune-domains: ${target.workerName} has no Custom Domain other than ${target.domain}; nothing to remove.`);
  } else {
    logger.info(
      `--prune-domains: once ${target.domain} verifies, these Custom Domains of ${target.workerName} will be removed:\n` +
        plan.remove.map((domain) => `    ${domain.hostname} (id ${domain.id})`).join("\n"),
    );
  }
  const planned = plan.remove;
  return {
    planned,
    async apply() {
      if (planned.length === 0) return [];
      // Re-list: act only on what is still attached to this Worker and was planned.
      const now = planDomainPrune(await listOwnDomains(client, target), target);
      const plannedIds = new Set(planned.map((domain) => domain.id));
      const removed: string[] = [];
      const failed: string[] = [];
      for (const domain of now.remove.filter((d) => plannedIds.has(d.id))) {
        try {
          await detachWorkerDomain(client, target.accountId, domain.id);
          removed.push(domain.hostname);
          logger.info(`removed Custom Domain ${domain.hostname} from ${target.workerName}`);
        } catch (error) {
          if (error instanceof CloudflareApiError && error.kind === "not-found") {
            logger.info(`Custom Domain ${domain.hostname} was already gone`);
            continue;
          }
          if (error instanceof CloudflareApiError && error.kind === "auth") {
            throw new CredentialsError(
              `The deploy token may not remove Custom Domains (${error.message}); ${removed.length ? `removed so far: ${removed.join(", ")}; ` : ""}still attached: ${domain.hostname}. It needs the permissions in docs/permissions.md.`,
            );
          }
          failed.push(`${domain.hostname}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (failed.length > 0) {
        throw new DeployError(
          `${target.domain} is live and verified, but removing old Custom Domains failed:\n${failed.map((f) => `  - ${f}`).join("\n")}\n` +
            `Run the deploy again with --prune-domains (safe to repeat).`,
        );
      }
      return removed;
    },
  };
}
