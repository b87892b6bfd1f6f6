// Each package's top-level folders depend one way: a cycle between folders means neither can be
// understood (or moved) without the other. Files directly in src/ count as their own nodes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../tools/cluster/index.js';

type Graph = Map<string, Map<string, string[]>>;

/** Folder → folder edges of one src tree, each with the imports that make it. */
function folderGraph(root: string): Graph {
  const graph: Graph = new Map();
  const nodeOf = (file: string) => path.relative(root, file).split(path.sep)[0]!.replace(/\.js$/, '.ts');
  for (const entry of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const file = path.join(root, entry);
    const from = nodeOf(file);
    for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), spec!);
      if (path.relative(root, target).startsWith('..')) continue;
      const to = nodeOf(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${entry} -> ${spec}`]);
    }
  }
  return graph;
}

/** The strongly connected groups of more than one folder (Tarjan). */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    for (let top = stack.pop()!; ; top = stack.pop()!) {
      group.push(top);
      if (top === node) break;
    }
    if (group.length > 1) found.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

function describe(graph: Graph, group: string[]): string {
  const lines = group.flatMap((from) =>
    group
      .filter((to) => graph.get(from)?.has(to))
      .map((to) => `  ${from} -> ${to}: ${graph.get(from)!.get(to)![0]}`),
  );
  return `${group.join(', ')}\n${lines.join('\n')}`;
}

for (const pkg of ['ingest-pod', 'operator', 'crds', 'runtime']) {
  test(`${pkg}/src: no cycle between folders`, () => {
    const graph = folderGraph(path.join(REPO_ROOT, pkg, 'src'));
    assert.ok(graph.size > 0, 'the scan found imports');
    const found = cycles(graph);
    assert.deepEqual(
      found.map((group) => describe(graph, group)),
      [],
    );
  });
}

test('the check finds a cycle when there is one', () => {
  const graph: Graph = new Map([
    ['a', new Map([['b', ['a/x.ts -> ../b/y.js']]])],
    ['b', new Map([['c', ['b/y.ts -> ../c/z.js']]])],
    ['c', new Map([['a', ['c/z.ts -> ../a/x.js']]])],
  ]);
  assert.deepEqual(cycles(graph), [['a', 'b', 'c']]);
});
