import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { closeStream, pipeLines } from '../line-splitter.js';
import { NODE_FILES } from '../../store/layout.js';

const STDERR_TAIL_LINES = 40;

type Demux = (source: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void;

/**
 * A node's stdout.log and stderr.log, fed from a container's multiplexed output stream as it arrives, with the same
 * per-line callbacks and stderr tail as the local executor.
 */
export class NodeLogs {
  readonly stdoutPath: string;
  readonly stderrPath: string;
  private readonly stdoutFile: WriteStream;
  private readonly stderrFile: WriteStream;
  private readonly tailLines: string[] = [];

  constructor(
    workDir: string,
    private readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void,
    /** The files' names: a training's logs by default; an exec agent's are agent-stdout.log and agent-stderr.log. */
    names: { stdout: string; stderr: string } = { stdout: NODE_FILES.stdout, stderr: NODE_FILES.stderr },
  ) {
    this.stdoutPath = join(workDir, names.stdout);
    this.stderrPath = join(workDir, names.stderr);
    this.stdoutFile = createWriteStream(this.stdoutPath);
    this.stderrFile = createWriteStream(this.stderrPath);
  }

  /** Demultiplexes `source` into the two logs; resolves once it has ended (the container exited) and all is written. */
  follow(source: NodeJS.ReadableStream, demux: Demux): Promise<void> {
    const stdout = this.sink(this.stdoutFile, (line) => this.onLine?.('stdout', line));
    const stderr = this.sink(this.stderrFile, (line) => {
      this.tailLines.push(line);
      if (this.tailLines.length > STDERR_TAIL_LINES) this.tailLines.shift();
      this.onLine?.('stderr', line);
    });
    demux(source, stdout, stderr);
    const drained = Promise.all([once(stdout, 'end'), once(stderr, 'end')]).then(() => undefined);
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      // Ending the pass-throughs flushes their decoders and emits the last unterminated line.
      stdout.end();
      stderr.end();
    };
    source.on('end', finish);
    source.on('close', finish);
    source.on('error', finish);
    return drained;
  }

  /** Adds a line of the harness's own to stderr.log (e.g. why the container was killed). */
  note(line: string): void {
    this.stderrFile.write(`${line}\n`);
    this.tailLines.push(line);
    if (this.tailLines.length > STDERR_TAIL_LINES) this.tailLines.shift();
  }

  stderrTail(): string {
    return this.tailLines.join('\n');
  }

  async close(): Promise<void> {
    await Promise.all([closeStream(this.stdoutFile), closeStream(this.stderrFile)]);
  }

  private sink(file: WriteStream, onLine: (line: string) => void): PassThrough {
    const pass = new PassThrough();
    pipeLines(pass, file, onLine);
    return pass;
  }
}
