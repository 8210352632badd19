// `npm run bench [NAME...]`: runs the benchmarks under bench/<name>/run.mjs (all of them without a
// name). Each generates its inputs into .cache/bench/ and prints its figures and a ratio to a
// baseline measured in the same run. By hand only: never in .ci/run or in timed tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'run.mjs')))
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`bench: no benchmark '${name}'; available: ${available.join(', ') || 'none'}`);
    process.exit(2);
  }
}
let failed = 0;
for (const name of wanted.length ? wanted : available) {
  console.log(`\n== bench/${name}`);
  const r = spawnSync(process.execPath, [join(here, name, 'run.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
