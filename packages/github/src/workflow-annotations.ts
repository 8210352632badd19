import * as core from '@actions/core';
import { formatLocation, type Finding } from '@aisec/core';

/** GitHub shows at most this many annotations of each level per step; more are dropped unseen. */
export const SHOWN_PER_LEVEL = 10;

type Level = 'error' | 'warning' | 'notice';

function levelOf(f: Finding): Level {
  if (f.severity === 'critical' || f.severity === 'high') return 'error';
  return f.severity === 'medium' ? 'warning' : 'notice';
}

export interface AnnotationResult {
  emitted: number;
  /** Findings GitHub would not have shown, so the summary can say how many more there are. */
  notShown: number;
}

/**
 * Emits workflow-command annotations, most severe first (the findings arrive sorted), at most
 * SHOWN_PER_LEVEL per level: GitHub drops the rest silently, so we say so in the summary instead.
 */
export function emitAnnotations(gate: string, findings: Finding[]): AnnotationResult {
  const used: Record<Level, number> = { error: 0, warning: 0, notice: 0 };
  let emitted = 0;
  for (const f of findings) {
    const level = levelOf(f);
    if (used[level] >= SHOWN_PER_LEVEL) continue;
    used[level]++;
    emitted++;
    const props: core.AnnotationProperties = {
      title: `aisec/${gate} ${f.ruleId} (${f.severity})`,
      file: f.location.path,
      ...(f.location.line ? { startLine: f.location.line } : {}),
      ...(f.location.endLine ? { endLine: f.location.endLine } : {}),
      ...(f.location.column && (!f.location.endLine || f.location.endLine === f.location.line) ? { startColumn: f.location.column } : {}),
    };
    const message = f.location.member ? `${f.message} [in ${formatLocation(f)}]` : f.message;
    const emit = { error: core.error, warning: core.warning, notice: core.notice }[level];
    emit(message, props);
  }
  return { emitted, notShown: findings.length - emitted };
}
