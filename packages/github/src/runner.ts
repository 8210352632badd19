import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import {
  AISEC_INFORMATION_URI,
  UserError,
  atLeast,
  JOB_SUMMARY_MAX_BYTES,
  coerceOptionValues,
  executeGate,
  isUserError,
  loadProjectConfig,
  maxSeverity,
  renderMarkdown,
  renderSarif,
  stringifyJsonReport,
  withCommonOptions,
  workspaceRelative,
  writeFileAtomic,
  type AisecConfig,
  type AnyGateBinding,
  type GateBinding,
  type GateExecution,
} from '@aisec/core';
import { createActionLogger } from './action-logger';
import { readRawInputs, readRunnerInputs, type RunnerInputs } from './action-inputs';
import { publishCheckRun } from './check-run';
import { readRunContext, type RunContext } from './github-context';
import { createGitHubClient, type GitHubClient } from './octokit';
import { upsertPullRequestComment } from './pr-comment';
import { emitAnnotations } from './workflow-annotations';

export interface RunActionOptions {
  /** Read the gates' own options from inputs (single-gate actions); the umbrella reads them from config only. */
  gateInputs?: boolean;
  /** A label for file names and messages when several gates run together. */
  label?: string;
}

interface GateRun {
  binding: AnyGateBinding;
  execution?: GateExecution;
  error?: unknown;
}

function fileFor(template: string, gate: string, several: boolean): string {
  if (template.includes('<gate>')) return template.replaceAll('<gate>', gate);
  if (!several) return template;
  const dot = template.lastIndexOf('.');
  return dot > template.lastIndexOf('/') ? `${template.slice(0, dot)}-${gate}${template.slice(dot)}` : `${template}-${gate}`;
}

/**
 * The one entry every aisec action calls. Reads and validates inputs, runs each gate through the
 * core, writes the JSON and SARIF reports atomically, then reports through every channel it can
 * (annotations, check run, job summary, PR comment). The step fails only by policy or by error,
 * never because a reporter could not deliver; the summary is written in every case.
 */
export async function runAction(bindings: AnyGateBinding | AnyGateBinding[], options: RunActionOptions = {}): Promise<void> {
  const list = Array.isArray(bindings) ? bindings : [bindings];
  const label = options.label ?? list.map((b) => b.gate.name).join('+');
  const runs: GateRun[] = list.map((binding) => ({ binding }));
  const summaries: string[] = [];
  let inputs: RunnerInputs | undefined;
  try {
    inputs = readRunnerInputs(label);
    const ctx = readRunContext();
    const workspace = resolve(ctx.workspace, inputs.workingDirectory);
    if (!existsSync(workspace)) throw new UserError(`working-directory '${inputs.workingDirectory}' does not exist`, { key: 'working-directory' });
    const config = loadConfig(inputs, workspace, list);
    const logger = createActionLogger();
    const several = list.length > 1;
    for (const run of runs) {
      try {
        const schema = withCommonOptions(run.binding.options);
        const values = options.gateInputs === false ? {} : coerceOptionValues(schema, readRawInputs(schema), 'input');
        core.startGroup(`aisec/${run.binding.gate.name}`);
        try {
          run.execution = await executeGate(run.binding as GateBinding<unknown>, {
            workspace,
            config,
            values,
            source: 'input',
            ...(inputs.baseline ? { baseline: inputs.baseline } : {}),
            logger,
          });
        } finally {
          core.endGroup();
        }
      } catch (error) {
        run.error = error;
      }
    }

    const done = runs.filter((r): r is GateRun & { execution: GateExecution } => r.execution !== undefined);
    const sarifPath = resolve(workspace, inputs.sarifFile.replaceAll('<gate>', label));
    const reportPaths: string[] = [];
    if (done.length) {
      writeFileAtomic(sarifPath, `${JSON.stringify(renderSarif(done.map((r) => r.execution)), null, 2)}\n`);
      for (const r of done) {
        const path = resolve(workspace, fileFor(inputs.reportFile, r.binding.gate.name, several));
        writeFileAtomic(path, stringifyJsonReport(r.execution.report, r.execution.outcome));
        reportPaths.push(path);
      }
    }

    const client = inputs.token && (inputs.checkRun || inputs.prComment) ? createGitHubClient(inputs.token, ctx.apiUrl, (m) => core.info(m)) : undefined;
    const budget = Math.floor(JOB_SUMMARY_MAX_BYTES / runs.length) - 1024;
    for (const run of runs) {
      if (run.execution) summaries.push(await reportGate(run as GateRun & { execution: GateExecution }, inputs, ctx, client, budget));
      else summaries.push(errorSummary(run.binding.gate.name, run.error));
    }

    const findings = done.reduce((n, r) => n + r.execution.outcome.findings.length, 0);
    const max = maxSeverity(done.flatMap((r) => (r.execution.outcome.maxSeverity ? [r.execution.outcome.maxSeverity] : [])));
    const passed = done.length === runs.length && done.every((r) => r.execution.outcome.passed);
    core.setOutput('findings', String(findings));
    core.setOutput('max-severity', max ?? 'none');
    core.setOutput('passed', String(passed));
    core.setOutput('report', reportPaths.map((p) => workspaceRelative(ctx.workspace, p)).join('\n'));
    core.setOutput('sarif', done.length ? workspaceRelative(ctx.workspace, sarifPath) : '');

    for (const run of runs) {
      if (run.error !== undefined) fail(run.binding.gate.name, run.error);
      else if (run.execution && !run.execution.outcome.passed) {
        const o = run.execution.outcome;
        const failing = o.findings.filter((f) => o.failOn !== 'never' && atLeast(f.severity, o.failOn)).length;
        core.setFailed(`aisec/${run.binding.gate.name}: ${failing} finding${failing === 1 ? '' : 's'} at or above '${o.failOn}' (most severe: ${o.maxSeverity}); see the job summary`);
      }
    }
  } catch (error) {
    // Inputs or configuration were wrong before any gate ran.
    for (const run of runs) if (!run.execution && run.error === undefined) run.error = error;
    summaries.push(errorSummary(label, error));
    core.setOutput('passed', 'false');
    fail(label, error);
  } finally {
    await writeSummary(summaries);
  }
}

function loadConfig(inputs: RunnerInputs, workspace: string, list: AnyGateBinding[]): AisecConfig {
  return loadProjectConfig(
    workspace,
    inputs.config,
    Object.fromEntries(list.map((b) => [b.gate.name, b.options])),
    'Fix the `config` input, or remove it to use .aisec.yml in the working directory',
  );
}

async function reportGate(
  run: GateRun & { execution: GateExecution },
  inputs: RunnerInputs,
  ctx: RunContext,
  client: GitHubClient | undefined,
  budget: number,
): Promise<string> {
  const gate = run.binding.gate.name;
  const { report, outcome } = run.execution;
  const notes: string[] = [];
  if (inputs.annotations) {
    const a = emitAnnotations(gate, outcome.findings);
    if (a.notShown > 0) notes.push(`${a.notShown} more finding${a.notShown === 1 ? ' is' : 's are'} not annotated in the log (GitHub shows 10 errors and 10 warnings per step); all are listed here, in the check run and in the SARIF file.`);
  }
  const extra = run.binding.summary?.(report);
  const markdown = renderMarkdown(report, outcome, { maxBytes: budget, ...(extra ? { extra: [extra, ...notes].join('\n\n') } : notes.length ? { extra: notes.join('\n\n') } : {}) });

  if (client && inputs.checkRun) {
    if (!ctx.owner || !ctx.repo || !ctx.headSha) {
      core.warning(`aisec/${gate}: no check run: GITHUB_REPOSITORY or GITHUB_SHA is not set`);
    } else {
      const result = await safely(gate, 'check run', () =>
        publishCheckRun(client, {
          owner: ctx.owner!,
          repo: ctx.repo!,
          headSha: ctx.headSha!,
          name: `aisec/${gate}`,
          title: outcome.passed ? `passed: ${outcome.findings.length} findings` : `failed: ${outcome.findings.length} findings, max ${outcome.maxSeverity}`,
          summary: markdown,
          text: outcome.findings.map((f) => `- **${f.severity}** \`${f.ruleId}\` ${f.location.path}${f.location.line ? `:${f.location.line}` : ''}: ${f.message}`).join('\n'),
          conclusion: outcome.passed ? 'success' : 'failure',
          findings: outcome.findings,
          ...(ctx.runId && ctx.owner ? { detailsUrl: `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}` } : {}),
        }),
      );
      if (result?.kind === 'degraded') core.warning(`aisec/${gate}: no check run: ${result.reason}`);
      else if (result) core.info(`aisec/${gate}: check run ${result.id} with ${result.annotations} annotations (${result.requests} requests)`);
    }
  }
  if (client && inputs.prComment) {
    if (ctx.pullRequest === undefined || !ctx.owner || !ctx.repo) core.info(`aisec/${gate}: not a pull request; no comment`);
    else {
      const result = await safely(gate, 'pull-request comment', () =>
        upsertPullRequestComment(client, { owner: ctx.owner!, repo: ctx.repo!, pullRequest: ctx.pullRequest! }, gate, markdown),
      );
      if (result?.kind === 'degraded') core.warning(`aisec/${gate}: ${result.reason}`);
    }
  }
  return markdown;
}

/** A reporter failing for any other reason is logged and skipped: it must not change the verdict. */
async function safely<T>(gate: string, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    core.warning(`aisec/${gate}: the ${what} could not be published: ${(error as Error).message}. Findings are still in the annotations, job summary and SARIF file.`);
    return undefined;
  }
}

function errorSummary(gate: string, error: unknown): string {
  const message = isUserError(error) ? error.format() : `internal error: ${(error as Error)?.message ?? String(error)}`;
  return `## aisec/${gate}: ⚠️ could not run\n\n\`\`\`\n${message}\n\`\`\`\n`;
}

function fail(gate: string, error: unknown): void {
  if (isUserError(error)) {
    core.setFailed(`aisec/${gate}: ${error.format()}`);
    return;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  core.error(e.stack ?? e.message);
  core.setFailed(`aisec/${gate}: internal error: ${e.message}. This is a bug in aisec, not in your project: please report it at ${AISEC_INFORMATION_URI}/issues with this log.`);
}

async function writeSummary(parts: string[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(parts.join('\n')).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}
