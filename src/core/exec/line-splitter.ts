import type { WriteStream } from 'node:fs';

/** Turns arbitrary chunks into complete lines; keeps the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';

  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const lines = text.split(/\r?\n/);
    this.tail = lines.pop() ?? '';
    return lines;
  }

  end(): string[] {
    const rest = this.tail;
    this.tail = '';
    return rest ? [rest] : [];
  }
}

/**
 * Copies a process's output stream into its log file as it arrives and hands each complete line to onLine (the
 * unfinished last line at the end). Decoding in the stream keeps a UTF-8 character split across chunks whole.
 */
export function pipeLines(stream: NodeJS.ReadableStream | null | undefined, file: WriteStream, onLine: (line: string) => void): void {
  if (!stream) return;
  const splitter = new LineSplitter();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    file.write(chunk);
    for (const line of splitter.push(chunk)) onLine(line);
  });
  stream.on('end', () => {
    for (const line of splitter.end()) onLine(line);
  });
}

/** Ends a log file and resolves once everything written to it is flushed. */
export function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}
