import { resolve } from 'node:path';
import * as core from '@actions/core';
import { GATE_NAMES, findConfigFile, loadConfigFile, UserError } from '@aisec/core';
import { runAction } from '@aisec/github';
import { GATES } from './gates';

/**
 * The umbrella action (`uses: org/aisec@v1`): runs the gates the `gates` input names, else those
 * `.aisec.yml` names, else every gate, with options from `.aisec.yml`; one SARIF file, one summary.
 */
async function umbrella(): Promise<void> {
  const requested = core.getInput('gates').split(/[\s,]+/).filter(Boolean);
  let names = requested;
  if (!names.length) {
    const workspace = resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), core.getInput('working-directory') || '.');
    const file = core.getInput('config') ? resolve(workspace, core.getInput('config')) : findConfigFile(workspace);
    // Errors in the file are reported by the runner with their position; here only the list matters.
    try {
      names = (file ? loadConfigFile(file).gates : undefined) ?? [];
    } catch {
      names = [];
    }
  }
  if (!names.length) names = GATES.map((g) => g.gate.name);
  // A gate of the suite that this version does not ship yet is skipped with a warning, as the CLI does.
  const notBuilt = names.filter((n) => (GATE_NAMES as readonly string[]).includes(n) && !GATES.some((g) => g.gate.name === n));
  for (const n of notBuilt) core.warning(`aisec: gate '${n}' is not built in this version; skipped`);
  names = names.filter((n) => !notBuilt.includes(n));
  const unknown = names.filter((n) => !GATES.some((g) => g.gate.name === n));
  if (unknown.length) {
    core.setFailed(new UserError(`unknown gate${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, { key: 'gates', hint: `Known: ${GATES.map((g) => g.gate.name).join(', ')}` }).format());
    return;
  }
  if (!names.length) {
    core.setFailed('aisec: no gates to run: name them in the `gates` input or under `gates:` in .aisec.yml');
    return;
  }
  await runAction(
    names.map((n) => GATES.find((g) => g.gate.name === n)!),
    { gateInputs: false, label: 'aisec' },
  );
}

void umbrella();
