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
