import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { AISEC_VERSION } from '@aisec/core';

const AisecOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof AisecOctokit>;

/**
 * An Octokit with retries for transient failures (5xx) and rate-limit waits. The retry plugin's own
 * `doNotRetry` list is kept: setting retries globally would also retry a 403, which for a fork's
 * read-only token only delays the fall-back to the other reporters.
 */
export function createGitHubClient(token: string, baseUrl: string, log: (message: string) => void): GitHubClient {
  return new AisecOctokit({
    auth: token,
    baseUrl,
    userAgent: `aisec/${AISEC_VERSION}`,
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    throttle: {
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`GitHub rate limit on ${options.method} ${options.url}; retrying after ${retryAfter}s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`GitHub secondary rate limit on ${options.method} ${options.url}; retrying after ${retryAfter}s`);
        return retryCount < 1;
      },
    },
  });
}

/** The HTTP status of an Octokit error, if it is one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
