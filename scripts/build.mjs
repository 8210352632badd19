// Builds every action entry (packages/<gate>/src/action.ts -> dist/<gate>/index.js), the umbrella
// action and the CLI, copies shared assets once into dist/assets/, and writes dist/licenses.txt.
// Deterministic: same sources and lockfile give the same bytes (CI rebuilds and diffs dist/).
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.mjs';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const dist = join(root, 'dist');

/** @type {{ name: string; entry: string }[]} */
const entries = [];
for (const pkg of readdirSync('packages').sort()) {
  const action = join('packages', pkg, 'src', 'action.ts');
  if (existsSync(action)) entries.push({ name: pkg === 'cli' ? 'aisec' : pkg, entry: action });
}
entries.push({ name: 'cli', entry: 'packages/cli/src/main.ts' });

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// Bundles are CommonJS named .js; the repository root is "type": "module".
writeFileSync(join(dist, 'package.json'), '{\n  "type": "commonjs"\n}\n');

const packages = new Map(); // name -> directory, for licenses
const sizes = [];
for (const { name, entry } of entries) {
  const outfile = join(dist, name, 'index.js');
  const result = await build(bundleOptions(entry, outfile));
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = input.match(/^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//);
    if (m) packages.set(m[2], m[1]);
  }
  sizes.push([`dist/${name}/index.js`, statSync(outfile).size]);
}

// Assets a package declares in package.json "aisecAssets" (module specifiers), shipped once.
for (const pkg of readdirSync('packages').sort()) {
  const manifestPath = join('packages', pkg, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const require = createRequire(join(root, manifestPath));
  for (const spec of manifest.aisecAssets ?? []) {
    const from = require.resolve(spec);
    const to = join(dist, 'assets', basename(from));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    sizes.push([relative(root, to), statSync(to).size]);
    const m = from.match(/^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//);
    if (m) packages.set(m[2], m[1]);
  }
}

// Licenses of everything bundled or shipped, sorted by package name.
const licenseText = [];
for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).sort().find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  licenseText.push(`${name}@${pkg.version} (${pkg.license ?? 'see below'})\n${'-'.repeat(72)}\n${file ? readFileSync(join(dir, file), 'utf8').trim() : 'No license file in the package; see its package.json.'}\n`);
}
writeFileSync(join(dist, 'licenses.txt'), `Third-party software bundled in dist/\n\n${licenseText.join('\n')}`);

const width = Math.max(...sizes.map(([p]) => p.length));
for (const [path, size] of sizes) console.log(`${path.padEnd(width)}  ${(size / 1024).toFixed(1).padStart(8)} KiB`);
