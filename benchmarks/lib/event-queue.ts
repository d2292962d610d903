// A binary min-heap of timed events for the discrete-event simulations (load balancing, overload);
// ties run in insertion order, so runs are reproducible.

export interface SimEvent {
  time: number;
  seq: number;
  run(): void;
}

export class EventQueue {
  readonly #heap: SimEvent[] = [];
  #seq = 0;
  now = 0;

  get size(): number {
    return this.#heap.length;
  }

  at(time: number, run: () => void): void {
    const heap = this.#heap;
    const e: SimEvent = { time, seq: this.#seq++, run };
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, heap[p]!)) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = e;
  }

  /**
   * Runs events in time order until none are left or the next is after `until`; the virtual clock
   * then stands at `until` (when finite), so the next round starts there.
   */
  run(until = Number.POSITIVE_INFINITY): void {
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
    if (until !== Number.POSITIVE_INFINITY) this.now = Math.max(this.now, until);
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
