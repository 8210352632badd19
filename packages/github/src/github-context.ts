import { readFileSync } from 'node:fs';

/** What the runner tells an action about where it runs, read from GITHUB_* and the event payload. */
export interface RunContext {
  apiUrl: string;
  owner?: string;
  repo?: string;
  /** The commit a check run attaches to: the PR head for pull requests, else GITHUB_SHA. */
  headSha?: string;
  pullRequest?: number;
  eventName?: string;
  workspace: string;
  serverUrl: string;
  runId?: string;
}

interface EventPayload {
  pull_request?: { number?: number; head?: { sha?: string } };
  number?: number;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  let event: EventPayload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
    } catch {
      // A missing or unreadable payload only costs the PR number and head SHA; reporters say so.
    }
  }
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const pr = event.pull_request?.number;
  return {
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    ...(owner && repo ? { owner, repo } : {}),
    ...((event.pull_request?.head?.sha ?? env.GITHUB_SHA) ? { headSha: event.pull_request?.head?.sha ?? env.GITHUB_SHA } : {}),
    ...(typeof pr === 'number' ? { pullRequest: pr } : {}),
    ...(env.GITHUB_EVENT_NAME ? { eventName: env.GITHUB_EVENT_NAME } : {}),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
  };
}
