/** The last `capacity` lines a child printed, for error reports; older lines are dropped. */
export class LogRing {
  readonly #lines: string[] = [];
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#capacity) this.#lines.shift();
  }

  lines(): readonly string[] {
    return [...this.#lines];
  }
}

/** Splits a stream's chunks into lines, keeping a partial last line until its newline arrives. */
export function lineSplitter(onLine: (line: string) => void): { write(chunk: string): void; end(): void } {
  let rest = '';
  return {
    write(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p.replace(/\r$/, ''));
    },
    end() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}
