/** One training slot: a CPU slot, or a set of GPUs that no other slot holds. */
export interface Slot {
  readonly id: number;
  readonly gpus: readonly number[];
}

/**
 * The executor's capacity, shared by every run of a bench: a node trains only while it holds a slot, so concurrent
 * nodes never share a CPU slot (or GPU set) and timings stay comparable.
 */
export class SlotPool {
  private readonly free: Slot[];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  readonly size: number;
  /** GPUs in each slot (all sets are the same size); 0 for CPU slots. */
  readonly gpusPerSlot: number;

  /** `size` CPU slots, or one slot per GPU set (sets must be disjoint). */
  constructor(slots: number | ReadonlyArray<readonly number[]>) {
    if (typeof slots === 'number') {
      if (!Number.isInteger(slots) || slots < 1) throw new Error(`a slot pool needs at least one slot, got ${slots}`);
      this.free = Array.from({ length: slots }, (_, id) => ({ id, gpus: [] }));
    } else {
      const all = slots.flat();
      if (slots.length === 0 || new Set(all).size !== all.length) throw new Error(`GPU sets must be non-empty and disjoint, got ${JSON.stringify(slots)}`);
      this.free = slots.map((gpus, id) => ({ id, gpus: [...gpus] }));
    }
    this.size = this.free.length;
    this.gpusPerSlot = this.free[0]?.gpus.length ?? 0;
  }

  acquire(signal?: AbortSignal): Promise<Slot> {
    signal?.throwIfAborted();
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const grant = (slot: Slot) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(slot);
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  /** Runs `work` while holding a slot. */
  async with<T>(work: (slot: Slot) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const slot = await this.acquire(signal);
    try {
      return await work(slot);
    } finally {
      this.release(slot);
    }
  }
}
