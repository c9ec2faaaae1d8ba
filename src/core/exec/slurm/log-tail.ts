import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../line-splitter.js';

/** Read at most this much per call, so a burst of output does not load into memory at once. */
const CHUNK_BYTES = 1 << 20;

/**
 * Follows a log file that another machine appends to (the job's stdout/stderr on the shared filesystem),
 * by polling: each read() delivers the complete lines added since the last one. The byte offset only moves
 * past bytes actually read. The file is reopened on every read because NFS only revalidates a file's size
 * on open (close-to-open consistency), so a handle kept open could miss the job's last lines. A multi-byte
 * character cut at the end of a read waits in the decoder and a line without its newline waits in the
 * splitter, until the rest arrives (or finish() flushes them).
 */
export class LogTail {
  private offset = 0;
  private decoder = new StringDecoder('utf8');
  private splitter = new LineSplitter();
  /** True once the file has been seen: Slurm creates it when the job starts on its node. */
  seen = false;

  constructor(
    readonly path: string,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Delivers the lines completed since the last call; a missing file is simply not there yet. */
  async read(): Promise<void> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return;
    }
    this.seen = true;
    try {
      const { size } = await handle.stat();
      // Shorter than what was read: the file was recreated (a resubmitted job truncates it). Start over.
      if (size < this.offset) this.restart();
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(0, size - this.offset)));
      while (this.offset < size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.emit(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  /** Reads what is left and flushes a last line that has no newline. */
  async finish(): Promise<void> {
    await this.read();
    this.emit(this.decoder.end());
    for (const line of this.splitter.end()) this.onLine(line);
  }

  /** Forget the file and any partial line, for a file about to be replaced (a resubmitted job's). */
  restart(): void {
    this.seen = false;
    this.offset = 0;
    this.decoder = new StringDecoder('utf8');
    this.splitter = new LineSplitter();
  }

  private emit(text: string): void {
    if (!text) return;
    for (const line of this.splitter.push(text)) this.onLine(line);
  }
}
