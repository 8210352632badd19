import type { ByteSource } from './byte-source';
import { classifyGlobal } from './classify-global';
import { RULE_IDS } from './rules';
import { addFinding, limitFinding, type ScanEnv, type Where } from './scan-env';
import { openMember, type ZipDirectory, type ZipEntry } from './zip-reader';

/**
 * Keras v3 `.keras` archives: config.json drives deserialization. Each object with `class_name` is looked
 * up in `module`, which Keras imports; Lambda layers carry Python bytecode or a function reference.
 */

export function isKerasArchive(entries: ZipEntry[]): boolean {
  return entries.some((e) => e.name === 'config.json') && entries.some((e) => e.name === 'metadata.json' || e.name.endsWith('.weights.h5'));
}

/** Modules Keras' own objects live in (Keras 3 writes `keras`, `keras.layers`, `keras.src.*`...). */
function isKerasModule(module: string): boolean {
  return module === 'keras' || module.startsWith('keras.') || module === 'keras_hub' || module.startsWith('keras_hub.') || module === 'keras_nlp' || module.startsWith('keras_nlp.');
}

const MAX_CONFIG_DEPTH = 200;

export function scanKerasArchive(src: ByteSource, dir: ZipDirectory, where: Where, env: ScanEnv): void {
  // Every config.json counts (a duplicate is read by some loader); Keras reads the last.
  for (const entry of dir.entries.filter((e) => e.name === 'config.json')) {
    const w: Where = { ...where, members: [...where.members, entry.name], sniffed: false };
    const data = openMember(src, entry, Math.min(env.bounds.maxInMemoryBytes, 64 * 1024 * 1024), env.bounds.maxDecompressionRatio, false);
    if (!data.ok) {
      if (data.limit) limitFinding(env, w, 'decompression', `config.json ${data.reason}`);
      continue;
    }
    let config: unknown;
    try {
      config = JSON.parse(Buffer.from(data.source.read(0, data.source.size)).toString('utf8'));
    } catch (error) {
      addFinding(env, w, RULE_IDS.malformed, 'high', `config.json is not valid JSON (${(error as Error).message}); Keras cannot load it, and the scanner could not check it`, 'keras config unreadable');
      continue;
    }
    walkKerasConfig(config, w, env);
  }
}

/** Checks a Keras model config (v3 config.json or the v2 `.h5` model_config attribute). */
export function walkKerasConfig(config: unknown, where: Where, env: ScanEnv): void {
  walk(config, [], 0, where, env);
}

function walk(node: unknown, path: string[], depth: number, where: Where, env: ScanEnv): void {
  if (depth > MAX_CONFIG_DEPTH) {
    limitFinding(env, where, 'depth', `config.json nests deeper than ${MAX_CONFIG_DEPTH} levels`);
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((v, i) => walk(v, [...path, String(i)], depth + 1, where, env));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const className = typeof obj.class_name === 'string' ? obj.class_name : undefined;
  const module = typeof obj.module === 'string' ? obj.module : undefined;
  const at = path.join('.') || '(root)';
  const layerName = typeof (obj.config as Record<string, unknown> | undefined)?.name === 'string' ? String((obj.config as Record<string, unknown>).name) : undefined;
  if (className === 'Lambda' || className === '__lambda__') {
    addFinding(
      env,
      where,
      RULE_IDS.kerasLambda,
      'critical',
      `Keras ${className} ${layerName ? `layer "${layerName}" ` : ''}at config path ${at} carries Python code that runs when the model is built (safe_mode=False)`,
      `keras ${className}${layerName ? ` ${layerName}` : ''}`,
      { configPath: at },
    );
  } else if (className && module && !isKerasModule(module)) {
    const verdict = classifyGlobal(module, className);
    if (verdict.verdict !== 'safe') {
      const critical = verdict.verdict === 'dangerous';
      addFinding(
        env,
        where,
        critical ? RULE_IDS.kerasLambda : RULE_IDS.kerasForeign,
        critical ? 'critical' : 'high',
        `Keras config at ${at} makes Keras import ${module} to find ${className}${critical ? `: ${verdict.why}` : ', a module outside Keras'}`,
        `keras module ${module}.${className}`,
        { configPath: at, module, className },
      );
    }
  }
  for (const [k, v] of Object.entries(obj)) walk(v, [...path, k], depth + 1, where, env);
}
