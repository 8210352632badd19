import { annotationLevel, formatLocation, truncateUtf8, type Finding } from '@aisec/core';
import type { GitHubClient } from './octokit';
import { statusOf } from './octokit';

/** Checks API limits: 50 annotations per request, 65535 bytes for `output.summary` and `output.text`. */
export const ANNOTATIONS_PER_REQUEST = 50;
export const CHECK_OUTPUT_MAX_BYTES = 65535;
/** Beyond this many, annotations stop helping a reviewer and only cost API calls; the summary says so. */
export const MAX_CHECK_ANNOTATIONS = 1000;

export interface CheckRunRequest {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  title: string;
  summary: string;
  text: string;
  conclusion: 'success' | 'failure' | 'neutral';
  findings: Finding[];
  /** Where a person can see the run (the workflow run URL). */
  detailsUrl?: string;
}

export type CheckRunResult =
  | { kind: 'created'; id: number; annotations: number; requests: number }
  | { kind: 'degraded'; reason: string };

const CUT_NOTE = '\n\n_Cut to fit the Checks API limit of 65535 bytes; the job summary, SARIF and JSON report have everything._';

function annotationOf(f: Finding) {
  const line = f.location.line ?? 1;
  const endLine = f.location.endLine ?? line;
  const sameLine = endLine === line;
  return {
    path: f.location.path,
    start_line: line,
    end_line: endLine,
    ...(sameLine && f.location.column ? { start_column: f.location.column, end_column: f.location.endColumn ?? f.location.column } : {}),
    annotation_level: annotationLevel(f.severity),
    title: `${f.ruleId} (${f.severity})`,
    message: truncateUtf8(f.location.member ? `${f.message}\n[in ${formatLocation(f)}]` : f.message, 64 * 1024, '…').text,
    ...(f.evidence ? { raw_details: truncateUtf8(f.evidence, 64 * 1024, '…').text } : {}),
  };
}

/** Only paths inside the repository can be annotated; absolute paths are left to the summary. */
function annotatable(f: Finding): boolean {
  return !f.location.path.startsWith('/') && f.location.path !== '.';
}

/**
 * Creates the check run with the first 50 annotations, appends the rest 50 per update (the API
 * appends annotations on update), then completes it. On 403/404 (a fork's read-only token, no
 * `checks: write`) it returns `degraded` with the reason instead of throwing: the other reporters
 * still carry every finding, and the gate's verdict does not depend on this call.
 */
export async function publishCheckRun(client: GitHubClient, req: CheckRunRequest): Promise<CheckRunResult> {
  const all = req.findings.filter(annotatable).map(annotationOf);
  const annotations = all.slice(0, MAX_CHECK_ANNOTATIONS);
  let summary = req.summary;
  if (all.length > annotations.length) summary += `\n\nThe first ${annotations.length} of ${all.length} findings are annotated; the rest are in the SARIF and JSON reports.`;
  const output = (extra: object = {}) => ({
    title: req.title,
    summary: truncateUtf8(summary, CHECK_OUTPUT_MAX_BYTES, CUT_NOTE).text,
    ...extra,
  });
  let requests = 0;
  try {
    const created = await client.rest.checks.create({
      owner: req.owner,
      repo: req.repo,
      name: req.name,
      head_sha: req.headSha,
      status: 'in_progress',
      ...(req.detailsUrl ? { details_url: req.detailsUrl } : {}),
      output: output({ annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST) }),
    });
    requests++;
    const id = created.data.id;
    for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
      await client.rest.checks.update({
        owner: req.owner,
        repo: req.repo,
        check_run_id: id,
        output: output({ annotations: annotations.slice(i, i + ANNOTATIONS_PER_REQUEST) }),
      });
      requests++;
    }
    await client.rest.checks.update({
      owner: req.owner,
      repo: req.repo,
      check_run_id: id,
      status: 'completed',
      conclusion: req.conclusion,
      completed_at: new Date().toISOString(),
      output: output({ text: truncateUtf8(req.text, CHECK_OUTPUT_MAX_BYTES, CUT_NOTE).text }),
    });
    requests++;
    return { kind: 'created', id, annotations: annotations.length, requests };
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 404) {
      return {
        kind: 'degraded',
        reason:
          `the token cannot create check runs (HTTP ${status}: ${(error as Error).message}). ` +
          'This is expected on pull requests from forks, whose token is read-only; elsewhere grant `checks: write` in the workflow\'s `permissions`. ' +
          'Findings are still in the annotations, the job summary and the SARIF file.',
      };
    }
    throw error;
  }
}
