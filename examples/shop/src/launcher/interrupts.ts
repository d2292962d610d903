// Ctrl-C and SIGTERM: the first asks for a clean stop, the second kills at once.

/** Something that delivers SIGINT/SIGTERM: `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export class Interrupts {
  /** Resolves on the first signal; race it against whatever the launcher is waiting for. */
  readonly signalled: Promise<'interrupt'>;
  #interrupted = false;
  readonly #source: SignalSource;
  readonly #listener: () => void;

  constructor(source: SignalSource, handlers: { first(): void; second(): void }) {
    let wake: () => void = () => {};
    this.signalled = new Promise((resolve) => {
      wake = () => resolve('interrupt');
    });
    this.#source = source;
    this.#listener = () => {
      if (this.#interrupted) return handlers.second();
      this.#interrupted = true;
      handlers.first();
      wake();
    };
    source.on('SIGINT', this.#listener);
    source.on('SIGTERM', this.#listener);
  }

  get interrupted(): boolean {
    return this.#interrupted;
  }

  dispose(): void {
    this.#source.off('SIGINT', this.#listener);
    this.#source.off('SIGTERM', this.#listener);
  }
}
