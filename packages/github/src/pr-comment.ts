import { truncateUtf8 } from '@aisec/core';
import type { GitHubClient } from './octokit';
import { statusOf } from './octokit';

/** GitHub rejects comment bodies over 65536 characters; stay under 64 KB in bytes to be safe. */
export const COMMENT_MAX_BYTES = 64 * 1024 - 1;

export function commentMarker(gate: string): string {
  return `<!-- aisec:${gate} -->`;
}

export type CommentResult = { kind: 'created' | 'updated'; id: number } | { kind: 'degraded'; reason: string };

/**
 * Keeps one comment per gate on the pull request: found by its hidden marker and edited in place, so
 * re-runs do not pile up comments.
 */
export async function upsertPullRequestComment(
  client: GitHubClient,
  target: { owner: string; repo: string; pullRequest: number },
  gate: string,
  markdown: string,
): Promise<CommentResult> {
  const marker = commentMarker(gate);
  const note = '\n\n_Cut to fit GitHub’s comment limit; see the job summary for the rest._';
  const body = truncateUtf8(`${marker}\n${markdown}`, COMMENT_MAX_BYTES, note).text;
  try {
    const comments = await client.paginate(client.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.pullRequest,
      per_page: 100,
    });
    const mine = comments.find((c) => c.body?.startsWith(marker));
    if (mine) {
      await client.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: mine.id, body });
      return { kind: 'updated', id: mine.id };
    }
    const created = await client.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.pullRequest, body });
    return { kind: 'created', id: created.data.id };
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 404) {
      return { kind: 'degraded', reason: `cannot comment on the pull request (HTTP ${status}); grant \`pull-requests: write\`, or turn \`pr-comment\` off` };
    }
    throw error;
  }
}
