import { DANGEROUS_ATTRIBUTES, DANGEROUS_MEMBERS, DANGEROUS_MODULES, type DangerKind } from './dangerous-list';
import { SAFE_FAMILIES, SAFE_GLOBALS } from './safe-list';

export type Verdict =
  | { verdict: 'safe'; why: string }
  | { verdict: 'dangerous'; kind: DangerKind; why: string }
  | { verdict: 'unknown'; why: string };

const SAFE_EXACT = new Map(SAFE_GLOBALS.map((e) => [e.name, e.why]));

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Classifies `module` + dotted attribute path `name` (what the unpickler imports). Order matters: exact
 * safe entries first (vetted one by one), then anything dangerous anywhere in the path, then the safe
 * families, and everything else is unknown.
 */
export function classifyGlobal(module: string, name: string): Verdict {
  const full = name ? `${module}.${name}` : module;
  const exact = SAFE_EXACT.get(full);
  if (exact !== undefined) return { verdict: 'safe', why: exact };

  const modParts = module.split('.');
  const nameParts = name ? name.split('.') : [];

  // A known dangerous member, also when reached through attribute traversal (`torch.serialization.os.system`).
  const all = [...modParts, ...nameParts];
  for (let i = 0; i < all.length; i++) {
    for (let j = all.length; j > i; j--) {
      const path = all.slice(i, j).join('.');
      const kind = DANGEROUS_MEMBERS[path];
      if (kind) return { verdict: 'dangerous', kind, why: `${path} ${KIND_TEXT[kind]}` };
    }
  }
  // Otherwise the module, or any package above it, is dangerous as a whole.
  for (let i = modParts.length; i >= 1; i--) {
    const m = modParts.slice(0, i).join('.');
    const kind = DANGEROUS_MODULES[m];
    if (kind) return { verdict: 'dangerous', kind, why: `${m} is a module that ${KIND_TEXT[kind]}` };
  }
  for (const part of nameParts) {
    // A module reached as an attribute of another module (`torch.serialization` then `os`).
    const kind = DANGEROUS_MODULES[part];
    if (kind) return { verdict: 'dangerous', kind, why: `${full} reaches module ${part}, which ${KIND_TEXT[kind]}` };
    // Walking through a dunder (`Cls.__init__.__globals__`) is how safe names are turned into gadgets.
    if (DANGEROUS_ATTRIBUTES.has(part) || (nameParts.length > 1 && /^__\w+__$/.test(part))) {
      return { verdict: 'dangerous', kind: 'introspection', why: `${full} reaches attribute ${part}, which runs code, touches files or imports` };
    }
  }

  const simple = nameParts.length === 1 && IDENT.test(name) && !/^__\w+__$/.test(name);
  if (simple) {
    for (const fam of SAFE_FAMILIES) {
      const modOk = fam.module.endsWith('.') ? module.startsWith(fam.module) || `${module}.` === fam.module : module === fam.module;
      if (modOk && fam.name.test(name)) return { verdict: 'safe', why: fam.why };
    }
  }
  return { verdict: 'unknown', why: `${full} is not on the safe list of what model files need` };
}

const KIND_TEXT: Record<DangerKind, string> = {
  exec: 'runs code',
  process: 'runs processes or controls the interpreter',
  file: 'reads or writes files',
  network: 'opens network connections',
  import: 'imports modules chosen at run time',
  deserialize: 'deserializes data again (and so runs whatever it holds)',
  'code-object': 'builds code or types at run time',
  introspection: 'reaches arbitrary objects by name',
};
