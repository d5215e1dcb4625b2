/** One batch taken from the ring, in queue order. */
export interface TakenBatch {
  json: string[];
  ids: string[];
  sizes: number[];
  /** Sum of `sizes`. */
  bytes: number;
}

/**
 * FIFO of serialized events kept in three parallel ring arrays (JSON, event id, byte size), so
 * queueing an event allocates nothing beyond its JSON string: no node objects, no closures.
 * Capacity doubles when full; the queue enforces its own bound before pushing.
 */
export class EventRing {
  private json: (string | undefined)[] = new Array(64);
  private ids: (string | undefined)[] = new Array(64);
  private sizes: number[] = new Array(64).fill(0);
  private mask = 63;
  private head = 0;
  size = 0;

  push(json: string, id: string, bytes: number): void {
    if (this.size > this.mask) this.grow();
    const at = (this.head + this.size) & this.mask;
    this.json[at] = json;
    this.ids[at] = id;
    this.sizes[at] = bytes;
    this.size++;
  }

  /** Puts an event back at the front (a batch that must be retried goes before newer events). */
  unshift(json: string, id: string, bytes: number): void {
    if (this.size > this.mask) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.json[this.head] = json;
    this.ids[this.head] = id;
    this.sizes[this.head] = bytes;
    this.size++;
  }

  /** Removes the oldest event; returns its id and byte size through `out` (no allocation). */
  dropOldest(out: { id: string; bytes: number }): void {
    const at = this.head;
    out.id = this.ids[at] as string;
    out.bytes = this.sizes[at] as number;
    this.json[at] = undefined;
    this.ids[at] = undefined;
    this.head = (at + 1) & this.mask;
    this.size--;
  }

  /**
   * Removes up to `maxCount` events from the front whose JSON, joined with commas, fits in
   * `maxBytes`. Always takes at least one event (each event is already known to fit on its own).
   */
  take(maxCount: number, maxBytes: number): TakenBatch {
    const batch: TakenBatch = { json: [], ids: [], sizes: [], bytes: 0 };
    let used = 0;
    while (this.size > 0 && batch.ids.length < maxCount) {
      const at = this.head;
      const bytes = this.sizes[at] as number;
      const next = used + bytes + (batch.ids.length > 0 ? 1 : 0);
      if (batch.ids.length > 0 && next > maxBytes) break;
      used = next;
      batch.json.push(this.json[at] as string);
      batch.ids.push(this.ids[at] as string);
      batch.sizes.push(bytes);
      batch.bytes += bytes;
      this.json[at] = undefined;
      this.ids[at] = undefined;
      this.head = (at + 1) & this.mask;
      this.size--;
    }
    return batch;
  }

  /** Ids of the first `max` events, oldest first, without removing them. */
  peekIds(max: number): string[] {
    const ids: string[] = [];
    for (let i = 0; i < this.size && i < max; i++) ids.push(this.ids[(this.head + i) & this.mask] as string);
    return ids;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const json: (string | undefined)[] = new Array(capacity);
    const ids: (string | undefined)[] = new Array(capacity);
    const sizes: number[] = new Array(capacity).fill(0);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) & this.mask;
      json[i] = this.json[from];
      ids[i] = this.ids[from];
      sizes[i] = this.sizes[from] as number;
    }
    this.json = json;
    this.ids = ids;
    this.sizes = sizes;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
