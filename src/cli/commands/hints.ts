import type { Command } from 'commander';
import { getRecord, loadTrack, parseTrackName } from '../../core/catalog/catalog.js';
import { composeHint, formatHintSpec, parseHintSpec } from '../../core/catalog/hints.js';
import { TrackName } from '../../core/catalog/schema.js';
import type { CliContext } from '../context.js';
import { parsePositiveInt } from '../options.js';

export function registerHintsCommands(program: Command, ctx: CliContext): void {
  const hints = program
    .command('hints')
    .description('hints given to agents (levels L1 pseudocode, L2 description, L3 mini-paper, L9 extra documents where upstream ships them)');
  hints
    .command('show')
    .description('print the hint for a task exactly as an agent receives it')
    .requiredOption('--track <track>', `track (${TrackName.options.join(', ')})`)
    .requiredOption('--record <n>', 'the task: record n, aiming for record n+1')
    .requiredOption('--level <spec>', "none, L1, L2, L3, L9 (where upstream ships it), L1+L2, L1+L2+L3, L1+L9, ... (`records show N` lists a record's levels)")
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: { track: string; record: string; level: string; json?: boolean }) => {
      const track = parseTrackName(opts.track);
      const record = parsePositiveInt(opts.record, '--record');
      const levels = parseHintSpec(opts.level);
      const manifest = await loadTrack(track);
      const entry = getRecord(manifest, record); // an unknown record fails listing the valid ones
      if (entry.task_excluded) ctx.log(`note: record ${record} starts no benchmark task (${entry.task_excluded})`);
      const text = await composeHint({ track, record, levels, cache: ctx.cache() });
      if (opts.json) return ctx.json({ track, record, spec: formatHintSpec(levels), levels, text });
      if (levels.length === 0) return ctx.log('hint level none: the agent gets no hint');
      ctx.out(text);
    });
}
