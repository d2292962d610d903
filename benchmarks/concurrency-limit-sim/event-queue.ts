// A binary min-heap of timed events; ties run in insertion order, so runs are reproducible.

interface SimEvent {
  time: number;
  seq: number;
  run: () => void;
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class EventQueue {
  readonly #heap: SimEvent[] = [];
  #seq = 0;
  /** The virtual clock, ms: the time of the event being run. */
  now = 0;

  at(time: number, run: () => void): void {
    const heap = this.#heap;
    const e: SimEvent = { time, seq: this.#seq++, run };
    let i = heap.push(e) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, heap[p]!)) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = e;
  }

  /** Runs events in time order until none is left at or before `until`. */
  run(until: number): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.time <= until) {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= heap.length) break;
          const r = l + 1;
          const c = r < heap.length && before(heap[r]!, heap[l]!) ? r : l;
          if (!before(heap[c]!, last)) break;
          heap[i] = heap[c]!;
          i = c;
        }
        heap[i] = last;
      }
      this.now = top.time;
      top.run();
    }
    this.now = Math.max(this.now, until);
  }
}
