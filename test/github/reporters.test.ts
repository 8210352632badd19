import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient, publishCheckRun, upsertPullRequestComment } from '@aisec/github';
import { FakeGitHub } from '../e2e/fake-github';
import { sampleFinding } from '../helpers/sample-report';

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.stop();
  github = undefined;
});

const base = { owner: 'octo-org', repo: 'ml-project', headSha: 'c'.repeat(40), name: 'aisec/test-gate', title: 't', conclusion: 'failure' as const };

describe('check runs', () => {
  it('cuts summary and text at 65535 bytes on a character boundary, with a note', async () => {
    github = await new FakeGitHub().start();
    const client = createGitHubClient('t', github.url, () => {});
    const big = '€'.repeat(40_000); // 120,000 bytes
    const result = await publishCheckRun(client, { ...base, summary: big, text: big, findings: [sampleFinding('high', 1)] });
    expect(result.kind).toBe('created');
    expect(github.violations).toEqual([]);
    const done = github.byOperation('checks/update').at(-1)!.body as { output: { summary: string; text: string } };
    for (const field of [done.output.summary, done.output.text]) {
      expect(Buffer.byteLength(field)).toBeLessThanOrEqual(65535);
      expect(field).toContain('Cut to fit the Checks API limit');
      expect(field).not.toContain('\uFFFD');
    }
  });

  it('annotates file-level findings at line 1 and skips paths outside the repository', async () => {
    github = await new FakeGitHub().start();
    const client = createGitHubClient('t', github.url, () => {});
    const findings = [sampleFinding('high', 1, { location: { path: 'models/m.pt', member: 'archive/data.pkl' } }), sampleFinding('high', 2, { location: { path: '/etc/outside' } })];
    await publishCheckRun(client, { ...base, summary: 's', text: 'x', findings });
    const created = github.byOperation('checks/create')[0]!.body as { output: { annotations: { path: string; start_line: number; message: string }[] } };
    expect(created.output.annotations).toHaveLength(1);
    expect(created.output.annotations[0]).toMatchObject({ path: 'models/m.pt', start_line: 1 });
    expect(created.output.annotations[0]!.message).toContain('archive/data.pkl');
  });

  it('degrades on 404 as on 403', async () => {
    github = await new FakeGitHub({ failures: { 'checks/create': 404 } }).start();
    const client = createGitHubClient('t', github.url, () => {});
    const result = await publishCheckRun(client, { ...base, summary: 's', text: 'x', findings: [] });
    expect(result).toMatchObject({ kind: 'degraded' });
    expect((result as { reason: string }).reason).toContain('HTTP 404');
  });

  it('does not swallow other failures (the runner logs them without changing the verdict)', async () => {
    github = await new FakeGitHub({ failures: { 'checks/create': 422 } }).start();
    const client = createGitHubClient('t', github.url, () => {});
    await expect(publishCheckRun(client, { ...base, summary: 's', text: 'x', findings: [] })).rejects.toMatchObject({ status: 422 });
  });
});

describe('pull-request comments', () => {
  it('stays under 64 KB with a note, and the marker stays first', async () => {
    github = await new FakeGitHub().start();
    const client = createGitHubClient('t', github.url, () => {});
    const result = await upsertPullRequestComment(client, { owner: 'o', repo: 'r', pullRequest: 3 }, 'scan-deps', 'x'.repeat(200_000));
    expect(result.kind).toBe('created');
    const body = [...github.comments.values()][0]!.body;
    expect(Buffer.byteLength(body)).toBeLessThan(64 * 1024);
    expect(body.startsWith('<!-- aisec:scan-deps -->')).toBe(true);
    expect(body).toContain('Cut to fit');
  });

  it('leaves other gates’ and people’s comments alone', async () => {
    github = await new FakeGitHub().start();
    const client = createGitHubClient('t', github.url, () => {});
    await upsertPullRequestComment(client, { owner: 'o', repo: 'r', pullRequest: 3 }, 'scan-deps', 'one');
    await upsertPullRequestComment(client, { owner: 'o', repo: 'r', pullRequest: 3 }, 'data-gate', 'two');
    await upsertPullRequestComment(client, { owner: 'o', repo: 'r', pullRequest: 3 }, 'scan-deps', 'three');
    const bodies = [...github.comments.values()].map((c) => c.body);
    expect(bodies).toEqual(['<!-- aisec:scan-deps -->\nthree', '<!-- aisec:data-gate -->\ntwo']);
    expect(github.violations).toEqual([]);
  });
});
