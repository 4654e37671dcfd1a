// Joins the dashboard's ES modules (web/app/*.js) into one classic script, so that every page that
// embeds it (`chunkscope html`, notebooks) stays one self-contained file that works offline, and
// `chunkscope serve` serves one file. No dependency: the modules use a small subset of ES module
// syntax, and anything outside it is an error naming the file and line:
//   import { a, b as c } from './x.js';          (relative, named imports only; may span lines)
//   export function f() {}  export async function f() {}  export const X = …;  export class C {}
// Not allowed: default exports, `export let` / `var` (the joined script copies bindings once, so an
// export must never be reassigned), re-exports, imports of packages, import cycles.
//
// Each module becomes a function scope run once, in dependency order (imports first); its exports are
// returned as an object and its importers destructure them. The result is strict-mode code in one IIFE.
//
//   node web/build_app.mjs ENTRY.js OUTPUT.js [--depfile DEPFILE]
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

class BundleError extends Error {}

// Parses one module: its imports, its exported names, and its body with the import statements and
// `export` keywords removed (lines kept, so line numbers in errors and stack traces stay close).
export function parseModule(file, text) {
  const imports = [];
  const exports = [];
  const fail = (line, msg) => { throw new BundleError(file + ':' + line + ': ' + msg); };
  const lineOf = (offset) => text.slice(0, offset).split('\n').length;
  // import statements (at the start of a line, possibly over several lines)
  let body = text.replace(/^import\b([^;]*?)\bfrom\s*(['"])([^'"]+)\2\s*;?/gms, (all, what, _q, spec, offset) => {
    const line = lineOf(offset);
    if (!spec.startsWith('./') && !spec.startsWith('../')) fail(line, 'only relative imports are joined: "' + spec + '"');
    const m = /^\s*\{([^}]*)\}\s*$/s.exec(what);
    if (!m) fail(line, 'only named imports ("import { a, b as c } from …") are supported');
    const names = m[1].split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const p = /^([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/.exec(s);
      if (!p) fail(line, 'cannot read the imported name "' + s + '"');
      return { name: p[1], local: p[2] || p[1] };
    });
    imports.push({ spec, names, line, path: resolve(dirname(file), spec) });
    return '\n'.repeat(all.split('\n').length - 1);
  });
  const stray = /^\s*import\b/m.exec(body);
  if (stray) fail(lineOf(stray.index), 'an import this joiner does not read (side-effect, namespace or default import)');
  body = body.replace(/^export\s+(async\s+function\*?|function\*?|const|class|let|var|default|\{|\*)\s*([A-Za-z_$][\w$]*)?/gm, (all, kind, name, offset) => {
    const line = lineOf(offset);
    if (kind === 'let' || kind === 'var') fail(line, '`export ' + kind + '`: an exported binding must not change (use const, or a function that returns it)');
    if (kind === 'default' || kind === '{' || kind === '*') fail(line, '`export ' + kind + '`: only `export function|const|class NAME` is supported');
    if (!name) fail(line, 'an export without a name');
    exports.push(name);
    return all.replace(/^export\s+/, '');
  });
  const late = /^\s+export\s/m.exec(body);
  if (late) fail(lineOf(late.index), '`export` must start its line (top level)');
  return { file, imports, exports, body };
}

// The modules reachable from `entry`, imports before importers. Throws on a cycle or a missing file,
// or when a module imports a name its dependency does not export.
export function collect(entry, read = (f) => readFileSync(f, 'utf8')) {
  const order = [];
  const byPath = new Map();
  const visiting = [];
  function visit(path, from) {
    if (byPath.has(path)) return;
    const at = visiting.indexOf(path);
    if (at >= 0) throw new BundleError('import cycle: ' + [...visiting.slice(at), path].map((p) => relative(dirname(entry), p)).join(' -> '));
    let text;
    try { text = read(path); } catch (err) { throw new BundleError((from ? from + ': ' : '') + 'cannot read ' + path); }
    visiting.push(path);
    const mod = parseModule(path, text);
    for (const imp of mod.imports) visit(imp.path, path + ':' + imp.line);
    visiting.pop();
    byPath.set(path, mod);
    order.push(mod);
  }
  visit(resolve(entry), null);
  for (const mod of order) {
    for (const imp of mod.imports) {
      const dep = byPath.get(imp.path);
      for (const n of imp.names) {
        if (!dep.exports.includes(n.name)) throw new BundleError(mod.file + ':' + imp.line + ': "' + n.name + '" is not exported by ' + imp.spec);
      }
    }
  }
  return order;
}

// The joined script.
export function bundle(entry, read) {
  const order = collect(entry, read);
  const root = dirname(resolve(entry));
  const varOf = new Map(order.map((m, i) => [m.file, '$m' + i + '_' + relative(root, m.file).replace(/\.js$/, '').replace(/[^\w$]/g, '_')]));
  let out = '// chunkscope dashboard, joined from web/app/ by web/build_app.mjs: ' + order.map((m) => relative(root, m.file)).join(', ') + '\n' +
    '(function () {\n\'use strict\';\n';
  for (const mod of order) {
    const name = relative(root, mod.file);
    out += '\n// ---- ' + name + ' ' + '-'.repeat(Math.max(4, 90 - name.length)) + '\n';
    out += 'const ' + varOf.get(mod.file) + ' = (function () {\n';
    for (const imp of mod.imports) {
      out += 'const { ' + imp.names.map((n) => (n.local === n.name ? n.name : n.name + ': ' + n.local)).join(', ') + ' } = ' + varOf.get(imp.path) + ';\n';
    }
    out += mod.body.replace(/\s+$/, '') + '\n';
    out += 'return { ' + mod.exports.join(', ') + ' };\n})();\n';
  }
  out += '})();\n';
  return { text: out, files: order.map((m) => m.file) };
}

// Command line: node build_app.mjs ENTRY OUTPUT [--depfile DEPFILE]
if (import.meta.url === 'file://' + resolve(process.argv[1] || '')) {
  const [entry, output, flag, depfile] = process.argv.slice(2);
  if (!entry || !output || (flag && flag !== '--depfile')) {
    console.error('usage: node build_app.mjs ENTRY.js OUTPUT.js [--depfile DEPFILE]');
    process.exit(2);
  }
  try {
    const { text, files } = bundle(entry);
    writeFileSync(output + '.tmp', text);
    renameSync(output + '.tmp', output);
    if (depfile) writeFileSync(depfile, output.replace(/ /g, '\\ ') + ': ' + files.map((f) => f.replace(/ /g, '\\ ')).join(' ') + '\n');
  } catch (err) {
    console.error('build_app: ' + (err instanceof BundleError ? err.message : err.stack));
    process.exit(1);
  }
}
