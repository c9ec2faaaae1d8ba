/**
 * The machine's GPUs (from nvidia-smi) and how they are split among concurrent runs: each slot of the pool holds
 * a disjoint set of GPU ids, so two nodes training at the same time never share a device.
 */
import { ExternalError, UserError } from '../errors.js';
import { runCommand, type CommandRunner } from './command-runner.js';
import { SlotPool } from './slot-pool.js';

export interface GpuInfo {
  /** nvidia-smi's index: the id --gpus and CUDA_VISIBLE_DEVICES use (with CUDA_DEVICE_ORDER=PCI_BUS_ID). */
  index: number;
  uuid: string | null;
  name: string | null;
  memoryMiB: number | null;
}

/** The environment variable the CLI reads to use another nvidia-smi (a fake one in tests). */
export const NVIDIA_SMI_ENV = 'SPEEDRUN_NVIDIA_SMI';
const NVIDIA_SMI_ARGS = ['--query-gpu=index,uuid,name,memory.total', '--format=csv,noheader,nounits'];

/** The GPUs nvidia-smi lists; [] when nvidia-smi is not installed (a machine without NVIDIA GPUs). */
export async function detectGpus(run: CommandRunner = runCommand, opts: { nvidiaSmi?: string } = {}): Promise<GpuInfo[]> {
  const binary = opts.nvidiaSmi || 'nvidia-smi';
  const result = await run(binary, NVIDIA_SMI_ARGS, { timeoutMs: 30_000 });
  if (result.notFound) return [];
  // A driver with no devices says so (and exits non-zero): that is "no GPUs", not a broken tool.
  if (/no devices were found/i.test(result.stdout + result.stderr)) return [];
  if (result.exitCode !== 0) {
    const why = result.timedOut ? 'did not answer within 30 s' : `failed (exit ${result.exitCode ?? 'by signal'})`;
    const output = lastLines(`${result.stderr}\n${result.stdout}`, 5);
    throw new ExternalError(
      'nvidia-smi',
      `${binary} ${why}${output ? `: ${output}` : ''}`,
      'run nvidia-smi yourself: the NVIDIA driver may be missing, mismatched or wedged (a reboot or driver reinstall usually fixes it)',
    );
  }
  return parseGpuInventory(result.stdout);
}

/**
 * Parses `--format=csv,noheader,nounits` rows: "0, GPU-…, NVIDIA H100 80GB HBM3, 81559". Fields may be padded,
 * missing or "[N/A]"; a row without a whole-number index is not a GPU (a stray message) and is skipped.
 */
export function parseGpuInventory(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split(',').map((field) => field.trim());
    const index = fields[0] ?? '';
    if (!/^\d+$/.test(index)) continue;
    // Names could in principle hold a comma; memory is always the last field when there are four or more.
    const memory = fields.length >= 4 ? fields[fields.length - 1] : undefined;
    const name = fields.length >= 4 ? fields.slice(2, -1).join(', ') : fields[2];
    gpus.push({ index: Number(index), uuid: known(fields[1]), name: known(name), memoryMiB: wholeNumber(memory) });
  }
  return gpus;
}

/**
 * "0-3,6" → [0, 1, 2, 3, 6]; "all" → every GPU of the inventory. Order is kept as written (neighbouring ids often
 * share a fast link, so "4-7,0-3" means something). With an inventory, every id must be on it.
 */
export function parseGpuList(spec: string, inventory?: readonly GpuInfo[]): number[] {
  const text = spec.trim();
  const fix = 'pass GPU ids as nvidia-smi numbers them, e.g. --gpus 0-3,6 (or --gpus all)';
  if (text === 'all') {
    if (!inventory || inventory.length === 0)
      throw new UserError('--gpus all: no GPUs found on this machine (nvidia-smi lists none)', 'run on a machine with NVIDIA GPUs, or leave out --gpus');
    return inventory.map((gpu) => gpu.index);
  }
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!range) throw new UserError(`--gpus ${JSON.stringify(spec)}: "${part.trim()}" is not a GPU id or a range like 0-3`, fix);
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) throw new UserError(`--gpus ${JSON.stringify(spec)}: the range ${first}-${last} runs backwards`, fix);
    for (let id = first; id <= last; id++) {
      if (ids.includes(id)) throw new UserError(`--gpus ${JSON.stringify(spec)}: GPU ${id} is listed twice`, fix);
      ids.push(id);
    }
  }
  if (inventory) {
    const present = new Set(inventory.map((gpu) => gpu.index));
    const missing = ids.filter((id) => !present.has(id));
    if (missing.length > 0) {
      const have = inventory.length === 0 ? 'nvidia-smi lists no GPUs here' : `this machine has ${describeIds(inventory.map((gpu) => gpu.index))}`;
      throw new UserError(`--gpus ${spec}: GPU ${missing.join(', ')} not found (${have})`, 'pick ids that nvidia-smi lists, or leave out --gpus');
    }
  }
  return ids;
}

export interface GpuSetPlan {
  sets: number[][];
  /** GPUs that make no whole set and stay idle. */
  unused: number[];
  warning: string | null;
}

/** Splits `available` into consecutive disjoint sets of `perRun`; what is left over stays unused, with a warning. */
export function planGpuSets(available: readonly number[], perRun: number): GpuSetPlan {
  if (!Number.isInteger(perRun) || perRun < 1) throw new UserError(`--gpus-per-run must be a positive whole number, got ${perRun}`, 'e.g. --gpus-per-run 1');
  if (perRun > available.length) {
    throw new UserError(
      `--gpus-per-run ${perRun} needs ${perRun} GPUs, but only ${available.length} ${available.length === 1 ? 'is' : 'are'} available (${describeIds(available)})`,
      `lower --gpus-per-run to at most ${available.length}, or give more GPUs with --gpus`,
    );
  }
  const count = Math.floor(available.length / perRun);
  const sets = Array.from({ length: count }, (_, i) => available.slice(i * perRun, (i + 1) * perRun));
  const unused = available.slice(count * perRun);
  const warning = unused.length === 0 ? null : `GPU ${unused.join(', ')} left unused: ${available.length} GPUs do not split evenly into sets of ${perRun}`;
  return { sets, unused, warning };
}

export interface SlotPoolRequest {
  /** --gpus: which GPUs to use ("0-3,6", "all"). */
  gpus?: string;
  /** --gpus-per-run: GPUs per training run (default 1); alone it means "all GPUs of the machine". */
  gpusPerRun?: number;
  /** CPU slots when no GPUs are requested (default 1). */
  cpuSlots?: number;
  inventory: readonly GpuInfo[];
}

export interface SlotPoolPlan {
  pool: SlotPool;
  /** In words, for the log: "4 slots of 2 GPUs: [0,1] [2,3] [4,5] [6,7]". */
  description: string;
  warnings: string[];
}

/**
 * CPU slots unless GPUs are asked for (--gpus or --gpus-per-run); then one slot per disjoint GPU set. GPUs on
 * the machine are not used unasked: a CPU track should not start grabbing devices because they happen to be there.
 */
export function slotPoolFor(request: SlotPoolRequest): SlotPoolPlan {
  const warnings: string[] = [];
  if (request.gpus === undefined && request.gpusPerRun === undefined) {
    const slots = request.cpuSlots ?? 1;
    if (!Number.isInteger(slots) || slots < 1) throw new UserError(`the number of CPU slots must be a positive whole number, got ${slots}`);
    return { pool: new SlotPool(slots), description: `${slots} CPU slot${slots === 1 ? '' : 's'}`, warnings };
  }
  if (request.inventory.length === 0) {
    throw new UserError(
      'GPUs were asked for, but none were found on this machine (nvidia-smi is missing or lists none)',
      'leave out --gpus/--gpus-per-run to train on CPU, or run where `nvidia-smi` lists GPUs',
    );
  }
  const available = request.gpus === undefined ? request.inventory.map((gpu) => gpu.index) : parseGpuList(request.gpus, request.inventory);
  const plan = planGpuSets(available, request.gpusPerRun ?? 1);
  if (plan.warning) warnings.push(plan.warning);
  if (request.cpuSlots !== undefined) warnings.push(`${request.cpuSlots} CPU slots ignored: with GPUs there is one slot per GPU set`);
  const perRun = plan.sets[0]?.length ?? 0;
  const description = `${plan.sets.length} slot${plan.sets.length === 1 ? '' : 's'} of ${perRun} GPU${perRun === 1 ? '' : 's'}: ${plan.sets.map((set) => `[${set.join(',')}]`).join(' ')}`;
  return { pool: new SlotPool(plan.sets), description, warnings };
}

/**
 * The environment that confines a process to its slot's GPUs. nvidia-smi numbers GPUs in PCI bus order but CUDA,
 * by default, fastest first; PCI_BUS_ID makes CUDA_VISIBLE_DEVICES mean the ids nvidia-smi and --gpus use.
 * Empty for CPU slots, so the inherited environment is left as is.
 */
export function gpuEnvironment(gpus: readonly number[]): Record<string, string> {
  if (gpus.length === 0) return {};
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: gpus.join(',') };
}

/** "0-3, 6" for messages. */
export function describeIds(ids: readonly number[]): string {
  if (ids.length === 0) return 'none';
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0]!;
  let previous = start;
  for (const id of [...sorted.slice(1), Number.NaN]) {
    if (id === previous + 1) {
      previous = id;
      continue;
    }
    parts.push(start === previous ? `${start}` : `${start}-${previous}`);
    start = previous = id;
  }
  return parts.join(', ');
}

function known(value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = value.trim();
  return text === '' || /^\[?n\/a\]?$/i.test(text) || /^\[.*\]$/.test(text) ? null : text;
}

function wholeNumber(value: string | undefined): number | null {
  const text = known(value);
  if (text === null) return null;
  const match = /^(\d+)(?:\s*MiB)?$/i.exec(text);
  return match ? Number(match[1]) : null;
}

function lastLines(text: string, count: number): string {
  return text
    .trim()
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join(' | ');
}
