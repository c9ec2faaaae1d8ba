import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LogParser, SOURCE_SEPARATOR, parseLog, parseNumber, type LogEvent, type ParsedLog } from '../src/core/measure/log-parser.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixturesDir = resolve(here, '../../shared/fixtures/upstream-logs');
const upstreamJson = resolve(here, '../../shared/upstream/nanogpt-speedrun.json');

interface UpstreamLog {
  path: string;
  final: { step: number; total_steps: number; val_loss: number; train_time_ms: number } | null;
}
interface UpstreamRecord {
  number: number;
  logs: UpstreamLog[];
}
const records = (JSON.parse(readFileSync(upstreamJson, 'utf8')) as { modded_nanogpt: { track1_records: UpstreamRecord[] } }).modded_nanogpt.track1_records;

/** Which upstream record log each fixture is (matched once by their final lines). */
const FIXTURES: Record<string, { record: number; log: string }> = {
  'r04.log': { record: 4, log: '2024-10-10_Muon/eb5659d0-fb6a-49e5-a311-f1f89412f726.txt' },
  'r09.log': { record: 9, log: '2024-11-06_ShortcutsTweaks/dd7304a6-cc43-4d5e-adb8-c070111464a1.txt' },
  'r12.log': { record: 12, log: '2024-11-19_FlexAttention/8384493d-dba9-4991-b16b-8696953f5e6d.txt' },
  'r18.log': { record: 18, log: '2025-01-04_SoftCap/31d6c427-f1f7-4d8a-91be-a67b5dcd13fd.txt' },
  'r20.log': { record: 20, log: '2025-01-16_Sub3Min/1d3bd93b-a69e-4118-aeb8-8184239d7566.txt' },
  'r22.log': { record: 22, log: '2025-05-24_FasterReduce/23f40b75-06fb-4c3f-87a8-743524769a35.txt' },
  'r40.log': { record: 40, log: '2025-10-04_Backout/514e7581-fbd4-4338-a3e4-e556f9c958ce.txt' },
  'r60.log': { record: 60, log: '2026-01-16_FusedSoftcappedEntropy/45beba56-93e2-4995-bc5b-caff3cb2c1b5.txt' },
  'r88-1gpu.log': { record: 88, log: '2026-07-13_PrefixTokenPrediction/prefix-1375/1b20ccf2-cb2f-4b6b-bc8a-2d9cd146f549.txt' },
  'r89.log': { record: 89, log: '2026-07-17_FP8DownProjection/this_pr/11cb620c-daaf-4e85-83fc-258a5eb7ba09.txt' },
};

function upstreamFinal(record: number, log: string): UpstreamLog['final'] {
  const rec = records.find((r) => r.number === record);
  const entry = rec?.logs.find((l) => l.path === `records/track_1_short/${log}`);
  if (!entry) throw new Error(`record ${record} has no log ${log} in nanogpt-speedrun.json`);
  return entry.final;
}

/** Deterministic pseudo-random numbers, so a failing split can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function parseInRandomChunks(text: string, seed: number, maxChunk: number): { result: ParsedLog; events: LogEvent[] } {
  const next = rng(seed);
  const parser = new LogParser();
  const events: LogEvent[] = [];
  let at = 0;
  while (at < text.length) {
    const size = 1 + Math.floor(next() * maxChunk);
    events.push(...parser.push(text.slice(at, at + size)));
    at += size;
  }
  events.push(...parser.end());
  return { result: parser.result(), events };
}

function fixture(name: string): string {
  return readFileSync(resolve(fixturesDir, name), 'utf8');
}

describe('upstream fixtures', () => {
  it('covers every fixture file in the folder', () => {
    expect(
      readdirSync(fixturesDir)
        .filter((f) => f.endsWith('.log'))
        .sort(),
    ).toEqual(Object.keys(FIXTURES).sort());
  });

  for (const [name, { record, log }] of Object.entries(FIXTURES)) {
    it(`${name}: the final line equals record ${record}'s final in nanogpt-speedrun.json, without warnings`, () => {
      const parsed = parseLog(fixture(name));
      const expected = upstreamFinal(record, log);
      expect(expected).not.toBeNull();
      expect(parsed.final).toEqual(expected);
      expect(parsed.warnings).toEqual([]);
      expect(parsed.points.length).toBeGreaterThan(5);
      expect(parsed.points[0]?.step).toBe(0);
      expect(parsed.last_train?.step).toBe(expected?.total_steps);
    });
  }

  it('r04 (train_loss era, step_avg:nanms early) has 51 validation points and 6200 train lines', () => {
    const parsed = parseLog(fixture('r04.log'));
    expect(parsed.points).toHaveLength(51);
    expect(parsed.points[0]).toEqual({ step: 0, total_steps: 6200, val_loss: 10.9264, train_time_ms: 285 });
    expect(parsed.train_points_count).toBe(6200);
    expect(parsed.last_train).toEqual({ step: 6200, total_steps: 6200, train_loss: 3.2533, train_time_ms: 1339065 });
    // The timer is reset once after the untimed warm-up (step 10 -> 11), which is upstream's rule, not a fault.
    expect(parsed.time_regressions).toEqual([{ line: 12, step: 11, from_ms: 77676, to_ms: 214, warmup_reset: true }]);
  });

  it('r18 (no train_loss; peak memory line after the final) reads its train lines with a null loss', () => {
    const parsed = parseLog(fixture('r18.log'));
    expect(parsed.last_train).toEqual({ step: 1390, total_steps: 1390, train_loss: null, train_time_ms: 204266 });
    expect(parsed.points.at(-2)).toEqual({ step: 1375, total_steps: 1390, val_loss: 3.2793, train_time_ms: 201992 });
  });

  it('r60 (warm-up chatter before step 0) ignores the noise lines', () => {
    const parsed = parseLog(fixture('r60.log'));
    expect(parsed.points[0]).toEqual({ step: 0, total_steps: 1775, val_loss: 10.8309, train_time_ms: 0 });
    expect(parsed.points).toHaveLength(9);
    expect(parsed.time_regressions).toEqual([]);
  });
});

describe('streaming', () => {
  for (const name of ['r04.log', 'r20.log', 'r89.log']) {
    it(`${name}: random chunk splits give the same result as parsing the whole file`, () => {
      const text = fixture(name);
      const whole = parseLog(text);
      for (const [seed, maxChunk] of [
        [1, 7],
        [2, 300],
        [3, 4096],
      ] as const) {
        expect(parseInRandomChunks(text, seed, maxChunk).result).toEqual(whole);
      }
    });
  }

  it('emits each line as soon as it is complete, and nothing for a partial line', () => {
    const parser = new LogParser();
    expect(parser.push('step:0/10 val_loss:10.9 train_ti')).toEqual([]);
    expect(parser.push('me:0ms step_avg:nanms\nstep:1/10 train_time:5ms')).toEqual([
      { kind: 'val', line: 1, point: { step: 0, total_steps: 10, val_loss: 10.9, train_time_ms: 0 } },
    ]);
    expect(parser.result().train_points_count).toBe(0);
    expect(parser.push(' step_avg:5.00ms\n')).toEqual([{ kind: 'train', line: 2, point: { step: 1, total_steps: 10, train_loss: null, train_time_ms: 5 } }]);
    expect(parser.result().lines).toBe(2);
  });

  it('a live snapshot ignores the unfinished last line until end()', () => {
    const parser = new LogParser();
    parser.push('step:0/10 val_loss:10.9 train_time:0ms step_avg:nanms\nstep:10/10 val_loss:3.1 train_time:99ms step_avg:9.90ms');
    expect(parser.result().final?.step).toBe(0);
    parser.end();
    expect(parser.result().final).toEqual({ step: 10, total_steps: 10, val_loss: 3.1, train_time_ms: 99 });
    expect(parser.result().warnings).toEqual([]);
  });

  it('handles CRLF line ends and a carriage-return progress line', () => {
    const parsed = parseLog(
      'header\r\nloading 50%\rstep:0/4 val_loss:9.5 train_time:0ms step_avg:nanms\r\nstep:4/4 val_loss:3.2 train_time:40ms step_avg:10.00ms\r\n',
    );
    expect(parsed.points.map((p) => [p.step, p.val_loss])).toEqual([
      [0, 9.5],
      [4, 3.2],
    ]);
    expect(parsed.warnings).toEqual([]);
  });
});

describe('the script-source separator', () => {
  const source = [
    'import torch',
    "print0(f'step:{step}/{args.num_iterations} val_loss:{val_loss:.4f} train_time:{t:.0f}ms')",
    'step:0/100 val_loss:1.0000 train_time:1ms step_avg:nanms',
    'step:garbage',
  ].join('\n');
  const output = ['step:0/20 val_loss:10.8 train_time:0ms step_avg:nanms', 'step:20/20 val_loss:3.27 train_time:2000ms step_avg:100.00ms'].join('\n');

  it('drops everything before the separator, warnings included', () => {
    const parsed = parseLog(`${source}\n${SOURCE_SEPARATOR}\n${output}\n`);
    expect(parsed.points).toEqual([
      { step: 0, total_steps: 20, val_loss: 10.8, train_time_ms: 0 },
      { step: 20, total_steps: 20, val_loss: 3.27, train_time_ms: 2000 },
    ]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.output_start_line).toBe(6);
  });

  it('only the text after the last separator counts', () => {
    const text = `${source}\n${SOURCE_SEPARATOR}\nstep:5/5 val_loss:2.0 train_time:5ms step_avg:1.00ms\n${SOURCE_SEPARATOR}\n${output}\n`;
    const parsed = parseLog(text);
    expect(parsed.points.map((p) => p.step)).toEqual([0, 20]);
    expect(parsed.output_start_line).toBe(8);
    expect(parseInRandomChunks(text, 9, 5).result).toEqual(parsed);
  });

  it('emits a reset event when the separator arrives, even split across chunks', () => {
    const parser = new LogParser();
    const events = [...parser.push(`${source}\n${'='.repeat(40)}`), ...parser.push(`${'='.repeat(60)}\n${output}\n`)];
    expect(events.filter((e) => e.kind === 'reset')).toEqual([{ kind: 'reset', line: 5 }]);
    expect(parser.result().points).toHaveLength(2);
  });

  it('a line of 99 or 101 "=" is not the separator', () => {
    for (const n of [99, 101]) {
      const parsed = parseLog(`step:0/9 val_loss:9.0 train_time:0ms step_avg:nanms\n${'='.repeat(n)}\n${output}\n`);
      expect(parsed.points).toHaveLength(3);
      expect(parsed.output_start_line).toBe(1);
    }
  });

  it('a real fixture behind a source header parses to the same final line', () => {
    const parsed = parseLog(`${source}\n${SOURCE_SEPARATOR}\n${fixture('r09.log')}`);
    expect(parsed.final).toEqual({ step: 3200, total_steps: 3200, val_loss: 3.2791, train_time_ms: 493742 });
    expect(parsed.warnings).toEqual([]);
  });
});

describe('other formats', () => {
  it('llm.c: s:N tel:X is a validation point without train_time, trl a train point, eval ignored', () => {
    const parsed = parseLog(
      [
        's:0 tel:10.9603',
        's:0 trl:10.9550 lr:0.00000600 norm:15.2345',
        's:1 trl:10.2011 lr:0.00001200 norm:9.1',
        's:250 tel:4.4953',
        's:250 eval:0.2512',
        '',
      ].join('\n'),
    );
    expect(parsed.points).toEqual([
      { step: 0, total_steps: null, val_loss: 10.9603, train_time_ms: null },
      { step: 250, total_steps: null, val_loss: 4.4953, train_time_ms: null },
    ]);
    expect(parsed.train_points_count).toBe(2);
    expect(parsed.last_train).toEqual({ step: 1, total_steps: null, train_loss: 10.2011, train_time_ms: null });
    expect(parsed.warnings).toEqual([]);
  });

  it('llm-speedrunner: step:N/M val_loss:X train_time:Tms without step_avg', () => {
    const parsed = parseLog(
      [
        'Running pytorch 2.7.1',
        'step:0/9536 val_loss:10.9259 train_time:0ms',
        'step:1/9536 train_loss:10.9251 train_time:512ms',
        'step:9536/9536 val_loss:3.2603 train_time:2209926ms',
        '',
      ].join('\n'),
    );
    expect(parsed.final).toEqual({ step: 9536, total_steps: 9536, val_loss: 3.2603, train_time_ms: 2209926 });
    expect(parsed.points).toHaveLength(2);
    expect(parsed.last_train?.train_loss).toBe(10.9251);
    expect(parsed.warnings).toEqual([]);
  });

  it('ignores nvidia-smi dumps, parameter tables and peak memory lines', () => {
    const parsed = parseLog(
      [
        '+-----------------------------------------------------------------------------+',
        '| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |',
        '|   0  NVIDIA H100 80GB HBM3   On  | 00000000:19:00.0 Off |   step: 0 |',
        'Running Python 3.12.7 | PyTorch 2.6.0',
        'steps: 1480, lr: 0.05',
        'step:0/3 val_loss:10.8 train_time:0ms step_avg:nanms',
        'peak memory consumption: 31563 MiB',
        '',
      ].join('\n'),
    );
    expect(parsed.points).toHaveLength(1);
    expect(parsed.warnings).toEqual([]);
  });
});

describe('bad values and broken lines', () => {
  it('nan and inf parse as NaN and Infinity and produce warnings', () => {
    const parsed = parseLog(
      [
        'step:0/30 val_loss:10.9 train_time:0ms step_avg:nanms',
        'step:10/30 train_loss:nan train_time:100ms step_avg:10.00ms',
        'step:11/30 train_loss:nan train_time:110ms step_avg:10.00ms',
        'step:20/30 val_loss:nan train_time:200ms step_avg:10.00ms',
        'step:30/30 val_loss:inf train_time:300ms step_avg:10.00ms',
        '',
      ].join('\n'),
    );
    expect(parsed.points.map((p) => p.val_loss)).toEqual([10.9, NaN, Infinity]);
    expect(parsed.last_train?.train_loss).toBeNaN();
    expect(parsed.warnings).toEqual([
      'line 2: train_loss is NaN at step 10',
      'line 4: val_loss is NaN at step 20',
      'line 5: val_loss is Infinity at step 30',
      'train_loss was not finite on 2 lines (first at line 2)',
    ]);
  });

  it('malformed lines become warnings with line numbers and are not used', () => {
    const parsed = parseLog(
      [
        'step:0/10 val_loss:10.9 train_time:0ms step_avg:nanms',
        'step:5/10 val_loss:abc train_time:50ms step_avg:10.00ms',
        'step:6/10 train_time:60 step_avg:10.00ms',
        'step:7/10 train_lossTraceback (most recent call last):',
        'step:x/10 val_loss:3.0',
        's:9 tel:oops',
        'step:8/10',
        '',
      ].join('\n'),
    );
    expect(parsed.points).toEqual([{ step: 0, total_steps: 10, val_loss: 10.9, train_time_ms: 0 }]);
    expect(parsed.train_points_count).toBe(0);
    expect(parsed.warnings.map((w) => w.split(':')[0])).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(parsed.warnings[0]).toContain('val_loss is not a number');
    expect(parsed.warnings[1]).toContain('train_time is not a number of ms');
  });

  it('a truncated last line is a warning, not a crash', () => {
    const parsed = parseLog('step:0/10 val_loss:10.9 train_time:0ms step_avg:nanms\nstep:10/10 val_loss:3.2 train_ti');
    expect(parsed.final?.step).toBe(0);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toMatch(/^line 2: malformed log line/);
  });

  it('a complete unterminated last line counts, with a note that the log may be truncated', () => {
    const parsed = parseLog('step:0/10 val_loss:10.9 train_time:0ms step_avg:nanms\nstep:10/10 val_loss:3.2 train_time:99ms step_avg:9.90ms');
    expect(parsed.final).toEqual({ step: 10, total_steps: 10, val_loss: 3.2, train_time_ms: 99 });
    expect(parsed.warnings).toEqual([]);
    const cut = parseLog('step:10/10 val_loss:3.2');
    expect(cut.final?.train_time_ms).toBeNull();
    expect(cut.warnings).toEqual([
      'line 1: validation line at step 10 has no train_time',
      'line 1: the log ends without a line end; its last line may be truncated: "step:10/10 val_loss:3.2"',
    ]);
  });

  it('caps the number of warnings on a garbled log', () => {
    const parsed = parseLog('step:1/2 nonsense\n'.repeat(1000));
    expect(parsed.warnings).toHaveLength(201);
    expect(parsed.warnings.at(-1)).toBe('800 further warnings not shown');
  });

  it('never throws on arbitrary bytes', () => {
    const next = rng(42);
    const alphabet = 'step:/0123456789 val_loss:train_time:ms=nan\n\r.';
    let text = '';
    for (let i = 0; i < 20000; i++) text += alphabet[Math.floor(next() * alphabet.length)];
    expect(() => parseLog(text)).not.toThrow();
  });

  it('parseNumber reads Python float output', () => {
    expect(parseNumber('3.2785')).toBe(3.2785);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('nan')).toBeNaN();
    expect(parseNumber('-inf')).toBe(-Infinity);
    expect(parseNumber('3.2x')).toBeUndefined();
    expect(parseNumber('')).toBeUndefined();
  });
});
