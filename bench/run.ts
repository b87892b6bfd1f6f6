// Runs benchmarks outside the test suite: `npm run bench [-- <name>…]`. Each bench is
// bench/<name>.bench.ts, run in its own process; it prints readable lines on stderr and one JSON
// line per figure on stdout ({"bench","metric","unit","value","anchor","anchor_value","ratio"}).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const wanted = process.argv.slice(2);
if (wanted.some((arg) => arg === '--help' || arg === '-h')) {
  console.log(`usage: npm run bench [-- <name>…]   (default: every bench)
  Runs bench/<name>.bench.ts each in its own process: readable lines on stderr, one JSON line per
  figure on stdout. Available: ${available.join(', ')}`);
  process.exit(0);
}
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : available) {
  console.error(`== bench ${name}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.bench.ts`)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
