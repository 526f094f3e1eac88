// The chart's values.yaml and values.schema.json describe the same values: every value is
// documented with a helm-docs `# --` comment and typed, strictly, in the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

const chart = join(dirname(fileURLToPath(import.meta.url)), '..', 'helm', 'balanceai');
const doc = parseDocument(readFileSync(join(chart, 'values.yaml'), 'utf8'));
const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8'));

/** [path, pair] for every key of the values, depth first. */
function pairs(node, prefix = []) {
  const out = [];
  node.items.forEach((pair, i) => {
    const path = [...prefix, String(pair.key.value)];
    // The yaml parser hangs the comment above the first key of a nested map on the map itself.
    const comment = [i === 0 ? node.commentBefore : undefined, pair.key.commentBefore].filter(Boolean).join('\n');
    out.push([path, pair, comment]);
    if (isMap(pair.value) && pair.value.items.length > 0) out.push(...pairs(pair.value, path));
  });
  return out;
}
const documented = (comment) => /(^|\n)\s*-- /.test(comment);

test('every leaf value carries a helm-docs "# --" comment', () => {
  const undocumented = [];
  const all = pairs(doc.contents);
  for (const [path, pair, comment] of all) {
    const isGroup = isMap(pair.value) && pair.value.items.length > 0;
    // A documented map or list (e.g. `resources`, `podSecurityContext`) covers its children.
    const coveredByAncestor = all.some(([p, , c]) => p.length < path.length && p.every((k, i) => k === path[i]) && documented(c));
    if (isGroup && !documented(comment)) continue;
    if (!documented(comment) && !coveredByAncestor) undocumented.push(path.join('.'));
  }
  assert.ok(all.length > 50);
  assert.deepEqual(undocumented, []);
});

function schemaAt(path) {
  let node = schema;
  for (const key of path) {
    assert.equal(node.type, 'object', `${path.join('.')}: parent is not an object in the schema`);
    const parent = node;
    node = parent.properties?.[key];
    // maps of one value type (resources.requests, annotations): the type of their values
    if (!node && typeof parent.additionalProperties === 'object') node = parent.additionalProperties;
    if (node?.$ref) node = node.$ref.split('/').slice(1).reduce((n, k) => n[k], schema);
    if (!node) return undefined;
  }
  return node;
}

// Kubernetes objects passed through as they are (security contexts, affinity) are typed as
// free-form objects here and validated after rendering, by kubeconform in check-chart.sh.
const freeForm = (s) => s?.type === 'object' && !s.properties && s.additionalProperties === undefined;

test('every value in values.yaml is typed in values.schema.json', () => {
  for (const [path, pair] of pairs(doc.contents)) {
    if (path.slice(0, -1).some((_, i) => freeForm(schemaAt(path.slice(0, i + 1))))) continue;
    const s = schemaAt(path);
    assert.ok(s, `${path.join('.')} is not in the schema`);
    assert.ok(s.type || s.oneOf || s.$ref, `${path.join('.')} has no type`);
    if (isScalar(pair.value) && s.type) {
      const v = pair.value.value;
      const t = v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v;
      assert.ok([].concat(s.type).includes(t) || (t === 'integer' && [].concat(s.type).includes('number')),
        `${path.join('.')} = ${JSON.stringify(v)} is not of schema type ${s.type}`);
    }
    if (isSeq(pair.value)) assert.equal(s.type, 'array', `${path.join('.')} should be an array`);
  }
});

test('the schema is strict: every object closes its properties and requires the defaults', () => {
  const open = [];
  (function walk(node, path) {
    if (node.type === 'object' && node.properties) {
      if (node.additionalProperties !== false) open.push(path || '(root)');
      for (const [k, v] of Object.entries(node.properties)) walk(v, path ? `${path}.${k}` : k);
    }
  })(schema, '');
  assert.deepEqual(open, []);
  // Every key the schema knows is in values.yaml (no undocumented values), except helm's `global`.
  const known = new Set(pairs(doc.contents).map(([p]) => p.join('.')));
  (function walk(node, path) {
    if (node.type !== 'object' || !node.properties) return;
    for (const [k, v] of Object.entries(node.properties)) {
      const p = path ? `${path}.${k}` : k;
      if (p === 'global') continue;
      assert.ok(known.has(p), `${p} is in the schema but not in values.yaml`);
      walk(v.$ref ? v.$ref.split('/').slice(1).reduce((n, key) => n[key], schema) : v, p);
    }
  })(schema, '');
});
