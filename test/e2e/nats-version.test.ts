// The nats-server the tests build from Go modules is the one the chart deploys.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../tools/cluster/binaries.js';

test("scripts/kube-binaries.sh builds the chart's nats-server version", () => {
  const script = readFileSync(path.join(REPO_ROOT, 'scripts/kube-binaries.sh'), 'utf8');
  const built = /^NATS_VERSION=v(\S+)/m.exec(script)?.[1];
  const values = parse(readFileSync(path.join(REPO_ROOT, 'charts/tributary/values.yaml'), 'utf8')) as {
    nats: { image: { tag: string } };
  };
  assert.ok(built, 'NATS_VERSION in scripts/kube-binaries.sh');
  assert.equal(values.nats.image.tag.replace(/-alpine$/, ''), built);
});
