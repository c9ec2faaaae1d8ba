/**
 * What a track needs beyond Python and data: its record scripts (upstream tracks are synced, not shipped), and for
 * the GPU track a CUDA build of torch recent enough for the records' kernels.
 */
import { fileState, loadTrack } from '../catalog/catalog.js';
import { trainsOnGpus } from '../catalog/track-kind.js';
import { fail, ok, warn, type Verdict } from './check.js';
import { pythonToAsk } from './python-checks.js';
import type { DoctorCheck, DoctorContext } from './context.js';

export const recordScriptsCheck: DoctorCheck = {
  id: 'records',
  title: 'record scripts',
  irrelevant: (ctx) => (ctx.config.track === 'tiny' ? 'bundled with speedrun' : null),
  run: async (ctx) => {
    const manifest = await loadTrack(ctx.config.track);
    const states = await Promise.all(
      manifest.records.map(async (r) => ({ record: r.number, state: await fileState(manifest.source, r.script, ctx.deps.cache) })),
    );
    const bad = states.filter((s) => s.state !== 'ok');
    const source = manifest.source.kind === 'upstream' ? ` (${manifest.source.repo} at ${manifest.source.commit.slice(0, 8)})` : '';
    if (bad.length === 0) return ok(`all ${states.length} record scripts synced and verified${source}`);
    const list = (state: string) => bad.filter((s) => s.state === state).map((s) => s.record);
    const parts = [
      list('missing').length && `not synced: records ${list('missing').join(', ')}`,
      list('modified').length && `changed since sync: records ${list('modified').join(', ')}`,
    ];
    return fail(
      `${bad.length} of ${states.length} record scripts unusable — ${parts.filter(Boolean).join('; ')}`,
      `speedrun records sync --track ${manifest.track}`,
    );
  },
};

/** FlexAttention, which records 12 onwards use, arrived in torch 2.5. */
const FLEX_ATTENTION_TORCH = [2, 5];
const TORCH_PROBE =
  'import json, torch; print(json.dumps({"version": torch.__version__, "cuda": torch.version.cuda, "devices": torch.cuda.device_count() if torch.cuda.is_available() else 0}))';
const TORCH_FIX =
  'install a CUDA build of PyTorch 2.5 or later (the paper ran records 1–18 on 2.7.1) and pass --python, or use --executor docker with the containers/cuda images';

export const gpuTorchCheck: DoctorCheck = {
  id: 'torch-cuda',
  title: 'torch for the GPU track',
  irrelevant: (ctx) =>
    !trainsOnGpus(ctx.config.track)
      ? 'only for the GPU tracks (--track nanogpt, nanogpt-modern)'
      : ctx.config.executor !== 'local'
        ? `only for --executor local (with ${ctx.config.executor}, torch comes with the image or the cluster)`
        : null,
  run: async (ctx) => probeTorch(ctx),
};

async function probeTorch(ctx: DoctorContext): Promise<Verdict> {
  const python = await pythonToAsk(ctx);
  if (typeof python !== 'string') return python;
  const result = await ctx.deps.run(python, ['-c', TORCH_PROBE], { timeoutMs: 120_000 });
  let probe: { version: string; cuda: string | null; devices: number };
  try {
    probe = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as typeof probe;
  } catch {
    return fail(`could not ask ${python} about CUDA: ${(result.stderr || result.stdout).trim().split('\n').pop() ?? 'no output'}`, TORCH_FIX);
  }
  if (probe.cuda === null) return fail(`torch ${probe.version} is a CPU-only build: the nanogpt records train on CUDA GPUs`, TORCH_FIX);
  if (probe.devices === 0) {
    return fail(
      `torch ${probe.version} (CUDA ${probe.cuda}) sees no GPU`,
      'check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES, or run on a machine with GPUs',
    );
  }
  const [major = 0, minor = 0] = probe.version.split(/[.+]/).map(Number);
  const detail = `torch ${probe.version} with CUDA ${probe.cuda}, ${probe.devices} GPU${probe.devices === 1 ? '' : 's'} visible`;
  if (major < FLEX_ATTENTION_TORCH[0]! || (major === FLEX_ATTENTION_TORCH[0] && minor < FLEX_ATTENTION_TORCH[1]!)) {
    return warn(`${detail}: records 12 onwards need FlexAttention (torch 2.5 or later)`, TORCH_FIX);
  }
  return ok(detail);
}
