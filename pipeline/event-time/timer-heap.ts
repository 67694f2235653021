/**
 * A min-heap of timers by due time. Ties fire in the order they were scheduled, so that replaying
 * the same records schedules and fires the same timers in the same order.
 */

interface Slot<T> {
  readonly due: number;
  readonly seq: number;
  readonly value: T;
  cancelled: boolean;
}

/** Timers ordered by due time, then by scheduling order. */
export class TimerHeap<T> {
  private heap: Array<Slot<T>> = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `value` at `due`; the handle cancels it. */
  push(due: number, value: T): { cancel(): void } {
    const slot: Slot<T> = { due, seq: this.seq++, value, cancelled: false };
    this.heap.push(slot);
    this.up(this.heap.length - 1);
    return { cancel: () => { slot.cancelled = true; } };
  }

  /** Removes and returns the earliest timer due at or before `now`, skipping cancelled ones. */
  popDue(now: number): T | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (!top.cancelled && top.due > now) return undefined;
      this.pop();
      if (!top.cancelled) return top.value;
    }
    return undefined;
  }

  clear(): void {
    this.heap = [];
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private less(a: Slot<T>, b: Slot<T>): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) return;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && this.less(h[l]!, h[min]!)) min = l;
      if (r < h.length && this.less(h[r]!, h[min]!)) min = r;
      if (min === i) return;
      [h[i], h[min]] = [h[min]!, h[i]!];
      i = min;
    }
  }
}
