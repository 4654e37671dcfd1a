// node --test: web/build_app.mjs, which joins the dashboard's ES modules (web/app/) into the one
// script every page embeds. The real modules join without error, every module is used, and the joined
// script defines window.ChunkscopeDashboard once; what the joiner cannot join is refused with the file
// and line. Env: none (paths from this file's place).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { bundle } from '../../web/build_app.mjs';

const app = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/app');

test('the dashboard joins: every module in web/app is reached from main.js, imports before importers', () => {
  const { text, files } = bundle(join(app, 'main.js'));
  const names = files.map((f) => f.slice(app.length + 1));
  assert.deepEqual([...names].sort(), readdirSync(app).filter((f) => f.endsWith('.js')).sort());
  assert.equal(names[names.length - 1], 'main.js');
  assert.ok(names.indexOf('bus.js') < names.indexOf('dashboard.js'));
  assert.doesNotMatch(text, /^\s*(import|export)\s/m, 'no module syntax left');
  new vm.Script(text);  // parses as a classic script
});

test('the joined script defines ChunkscopeDashboard.mount once and mounts nothing without a page root', () => {
  const { text } = bundle(join(app, 'main.js'));
  const window = {};
  const context = vm.createContext({ window, document: { getElementById: () => null } });
  vm.runInContext(text, context);
  assert.equal(typeof window.ChunkscopeDashboard.mount, 'function');
  const first = window.ChunkscopeDashboard;
  vm.runInContext(text, context);  // a second copy on the page (notebooks) keeps the first
  assert.equal(window.ChunkscopeDashboard, first);
});

// Joins in-memory modules (name -> text) from /m/main.js.
const join_ = (mods) => bundle('/m/main.js', (p) => { const k = p.slice(3); if (!(k in mods)) throw new Error('no ' + k); return mods[k]; });

test('imports become bindings of the exporting module; renamed imports work', () => {
  const { text } = join_({
    'main.js': "import { twice as t, K } from './a.js';\nglobalThis.out = t(K);\n",
    'a.js': "import { base } from './b.js';\nexport const K = base + 1;\nexport function twice(x) { return 2 * x; }\n",
    'b.js': 'export const base = 20;\n',
  });
  const ctx = vm.createContext({});
  vm.runInContext(text, ctx);
  assert.equal(ctx.out, 42);
});

test('what cannot be joined is refused with the file and line', () => {
  assert.throws(() => join_({ 'main.js': "import { a } from './a.js';\n", 'a.js': "import { m } from './main.js';\nexport const a = 1;\n" }), /import cycle: main\.js -> a\.js -> main\.js/);
  assert.throws(() => join_({ 'main.js': "import { nope } from './a.js';\n", 'a.js': 'export const a = 1;\n' }), /main\.js:1: "nope" is not exported by \.\/a\.js/);
  assert.throws(() => join_({ 'main.js': '\nexport let x = 1;\n' }), /main\.js:2: `export let`/);
  assert.throws(() => join_({ 'main.js': 'export default 1;\n' }), /`export default`/);
  assert.throws(() => join_({ 'main.js': "import { x } from 'lodash';\n" }), /only relative imports/);
  assert.throws(() => join_({ 'main.js': "import x from './a.js';\n", 'a.js': '' }), /only named imports/);
  assert.throws(() => join_({ 'main.js': "import { a } from './gone.js';\n" }), /main\.js:1: cannot read/);
});
