// Runs every benchmark under bench/ in turn (npm run bench builds dist/ first); BENCH_SMOKE=1 runs each at toy sizes.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort()) {
  console.log(`\n## ${file}`);
  await import(`./${file}`);
}
