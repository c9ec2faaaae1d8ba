/** One training slot: a CPU slot, or later a set of GPUs. */
export interface Slot {
  readonly id: number;
}

/**
 * The executor's capacity, shared by every run of a bench: a node trains only while it holds a slot, so concurrent
 * nodes never share a CPU slot (or GPU set) and timings stay comparable.
 */
export class SlotPool {
  private readonly free: number[];
  private readonly waiting: Array<(slot: Slot) => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a slot pool needs at least one slot, got ${size}`);
    this.free = Array.from({ length: size }, (_, i) => i);
  }

  acquire(signal?: AbortSignal): Promise<Slot> {
    signal?.throwIfAborted();
    const id = this.free.shift();
    if (id !== undefined) return Promise.resolve({ id });
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
    else this.free.push(slot.id);
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
