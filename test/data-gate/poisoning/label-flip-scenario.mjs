#!/usr/bin/env node
// Seeded generator of a label-flip scenario larger than the shared dev one: three labels, correlated
// numeric features (which naive Bayes misspecifies on purpose), a skewed and a count feature, a
// feature with nulls, an informative and a noise category, free text and an id; the batch is drawn
// from the same generator and then a share of its rows, chosen uniformly, get a uniformly chosen
// other label. Deterministic for a seed (mulberry32, Box-Muller), no dependencies.
//
//   node test/data-gate/poisoning/label-flip-scenario.mjs OUTDIR [--rows 20000] [--seed 7] [--flip-rate 0.02]
//
// writes OUTDIR/label_flip_<rows>_{ref,cur}.csv and OUTDIR/label_flip_<rows>.json (the flipped rows).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LABELS = ['bird', 'cat', 'dog'];
const PRIOR = [0.2, 0.5, 0.3];
/** Class means of the correlated pair (f1, f2); correlation 0.6, unit variances. */
const MEANS = [
  [0.6, 2.8],
  [0, 0],
  [2.6, 0.4],
];
const COLORS = ['red', 'green', 'blue', 'grey', 'black', 'white'];
const COLOR_P = [
  [0.05, 0.1, 0.45, 0.2, 0.1, 0.1],
  [0.25, 0.2, 0.1, 0.2, 0.15, 0.1],
  [0.1, 0.35, 0.1, 0.1, 0.2, 0.15],
];
const CHANNELS = ['web', 'app', 'partner'];
const WORDS = ['quick', 'brown', 'lazy', 'small', 'loud', 'soft', 'bright', 'dark', 'wild', 'calm', 'old', 'young'];

function pick(rand, p) {
  let u = rand();
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u < 0) return i;
  }
  return p.length - 1;
}

function normal(rand) {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function poisson(rand, lambda) {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function csvText(s) {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function table(rand, rows) {
  const lines = ['id,f1,f2,f3_skew,f4_count,f5_miss,color,channel,note,label'];
  const labels = [];
  for (let r = 0; r < rows; r++) {
    const y = pick(rand, PRIOR);
    const z1 = normal(rand);
    const z2 = 0.6 * z1 + 0.8 * normal(rand);
    const [m1, m2] = MEANS[y];
    const f3 = Math.exp(0.3 * y + 0.5 * normal(rand));
    const f4 = poisson(rand, y === 2 ? 5 : 3);
    const f5 = rand() < 0.03 ? '' : (10 + 2 * normal(rand)).toFixed(3);
    const words = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    if (rand() < 0.05) words.splice(1, 0, 'x,y');
    labels.push(y);
    lines.push(
      [r, (m1 + z1).toFixed(6), (m2 + z2).toFixed(6), f3.toFixed(4), f4, f5, COLORS[pick(rand, COLOR_P[y])], CHANNELS[Math.floor(rand() * 3)], csvText(words.join(' ')), LABELS[y]].join(','),
    );
  }
  return { lines, labels };
}

/** { reference, current } CSV texts and the 0-based data rows of `current` whose label was flipped. */
export function generateLabelFlipScenario({ rows = 20000, seed = 7, flipRate = 0.02 } = {}) {
  const rand = mulberry32(seed);
  const reference = table(rand, rows);
  const current = table(rand, rows);
  const flipped = [];
  for (let r = 0; r < rows; r++) {
    if (rand() >= flipRate) continue;
    const y = current.labels[r];
    const to = (y + 1 + Math.floor(rand() * (LABELS.length - 1))) % LABELS.length;
    const line = current.lines[r + 1];
    current.lines[r + 1] = `${line.slice(0, line.lastIndexOf(','))},${LABELS[to]}`;
    flipped.push(r);
  }
  return { reference: `${reference.lines.join('\n')}\n`, current: `${current.lines.join('\n')}\n`, flipped, rule: `${flipRate} of the rows, uniformly, to a uniformly chosen other label` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const out = args.find((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  if (!out) {
    console.error('usage: label-flip-scenario.mjs OUTDIR [--rows 20000] [--seed 7] [--flip-rate 0.02]');
    process.exit(2);
  }
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const rows = flag('rows', 20000);
  const seed = flag('seed', 7);
  const flipRate = flag('flip-rate', 0.02);
  const s = generateLabelFlipScenario({ rows, seed, flipRate });
  mkdirSync(out, { recursive: true });
  const name = `label_flip_${rows}`;
  writeFileSync(join(out, `${name}_ref.csv`), s.reference);
  writeFileSync(join(out, `${name}_cur.csv`), s.current);
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify({ seed, rows, injected: { flipped_rows: s.flipped, rule: s.rule } }, null, 1)}\n`);
  console.log(`${name}: ${s.flipped.length} flipped rows written to ${out}`);
}
