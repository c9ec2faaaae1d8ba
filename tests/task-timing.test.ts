import { describe, expect, it } from 'vitest';
import { listTasks, loadTrack } from '../src/core/catalog/catalog.js';
import { TrackManifest } from '../src/core/catalog/schema.js';
import { recordTiming, taskTiming } from '../src/core/catalog/task-timing.js';

describe('how each track times its runs', () => {
  it("nanogpt reads the final line (the records' own rule) and does not re-time by default; tiny reads the first crossing and re-times", async () => {
    const [nanogpt, tiny] = await Promise.all([loadTrack('nanogpt'), loadTrack('tiny')]);
    expect(nanogpt).toMatchObject({ timing_rule: 'final', retime: 'none' });
    expect(tiny).toMatchObject({ timing_rule: 'first-crossing', retime: 'both', retime_repeats: 3 });
  });

  it("scores nanogpt tasks 2 and 3 at 3.29, since record 3's own final line is 3.2813, and every other task at 3.28", async () => {
    const nanogpt = await loadTrack('nanogpt');
    expect(recordTiming(nanogpt, 3)).toEqual({ target: 3.29, rule: 'final' });
    expect(recordTiming(nanogpt, 4)).toEqual({ target: 3.28, rule: 'final' });
    const targets = Object.fromEntries(listTasks(nanogpt).map((t) => [t.record, taskTiming(nanogpt, t.record).target]));
    expect(targets[2]).toBe(3.29);
    expect(targets[3]).toBe(3.29);
    for (const [record, target] of Object.entries(targets)) if (record !== '2' && record !== '3') expect(target, `task ${record}`).toBe(3.28);
    expect(nanogpt.records.find((r) => r.number === 3)?.target_why).toMatch(/3\.2813/);
  });

  it('refuses a record of its own target on a first-crossing track, where the target would move the time itself', async () => {
    const tiny = await loadTrack('tiny');
    const withOwn = { ...tiny, records: tiny.records.map((r) => (r.number === 2 ? { ...r, target_val_loss: 1.95 } : r)) };
    expect(TrackManifest.safeParse(withOwn).success).toBe(false);
    expect(TrackManifest.safeParse({ ...withOwn, timing_rule: 'final' }).success).toBe(true);
  });
});
