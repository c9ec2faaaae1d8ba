import type { Command } from 'commander';
import { loadTrack, parseTrackName } from '../../core/catalog/catalog.js';
import type { CliContext } from '../context.js';
import { findPython, interruptSignal, parsePositiveInt } from '../options.js';
import { parseRecordRange } from '../../core/catalog/record-range.js';
import { ladder } from '../../core/calibrate/run-calibration.js';
import { calibrateRecords, calibrationGpus, formatLadder } from '../calibration-setup.js';

/** The tiny track promises each rung is at least this much faster than the one before. */
export const LADDER_MIN_SPEEDUP = 1.25;

interface CalibrateFlags {
  track: string;
  records?: string;
  repeats: string;
  python?: string;
  gpus?: string;
  gpusPerRun?: string;
  json?: boolean;
}

export function registerCalibrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('calibrate')
    .description("measure each record's time to target on this machine (interleaved repeats); runs then score against these times")
    .option('--track <track>', 'tiny | nanogpt', 'tiny')
    .option('--records <range>', 'records to measure, e.g. 1-6 (default: all)')
    .option('--repeats <k>', 'repeats per record', '3')
    .option('--python <path>', 'Python interpreter with torch')
    .option('--gpus <ids>', 'GPUs to calibrate on, e.g. 0-7 (default: CPU); repeats run one at a time on the first set')
    .option('--gpus-per-run <n>', 'GPUs each repeat trains on (nanogpt: 8 for the records that need 8)')
    .option('--json', 'print the calibration and the ladder as one JSON object')
    .action(async (flags: CalibrateFlags) => {
      const signal = interruptSignal(ctx);
      const manifest = await loadTrack(parseTrackName(flags.track));
      const records = flags.records ? parseRecordRange(flags.records) : manifest.records.map((r) => r.number);
      const repeats = parsePositiveInt(flags.repeats, '--repeats');
      const python = await findPython(ctx, flags.python);
      const gpus = await calibrationGpus(ctx, {
        gpus: flags.gpus,
        gpusPerRun: flags.gpusPerRun ? parsePositiveInt(flags.gpusPerRun, '--gpus-per-run') : undefined,
      });
      const file = await calibrateRecords(ctx, manifest, records, repeats, python, signal, gpus);
      const rungs = ladder(file, records);
      const belowLadder = rungs.filter((r) => r.speedup !== null && r.speedup < LADDER_MIN_SPEEDUP).map((r) => r.record);
      const failed = rungs.filter((r) => r.median_ms === null).map((r) => r.record);
      if (flags.json) {
        ctx.json({
          track: manifest.track,
          calibration_file: ctx.cache().calibration(manifest.track),
          machine: file.machine,
          ladder: rungs,
          min_speedup: LADDER_MIN_SPEEDUP,
          below_min_speedup: belowLadder,
          failed,
        });
      } else {
        ctx.out(formatLadder(rungs, file, LADDER_MIN_SPEEDUP));
        ctx.out(`times read at the ${manifest.timing_rule === 'final' ? 'final validation line' : 'first validation line'} at or below each record's target`);
        ctx.out(`saved to ${ctx.cache().calibration(manifest.track)}`);
        if (failed.length) ctx.out(`records without a time (a repeat failed to reach the target): ${failed.join(', ')}`);
      }
      // A record that cannot reach its target here is an environment problem (too slow, broken torch), not bad input.
      if (failed.length) process.exitCode = 3;
    });
}
