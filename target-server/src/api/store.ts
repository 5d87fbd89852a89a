export type Stored<T> = T & { id: number; createdAt: string; updatedAt: string };

export class StoreFullError extends Error {}

/** An in-memory table with auto-increment ids and a size cap (a long demo run must not grow forever). */
export class Collection<T extends object> {
  private readonly items = new Map<number, Stored<T>>();
  private nextId = 1;

  constructor(private readonly maxItems = 10_000) {}

  get size(): number {
    return this.items.size;
  }

  list(offset: number, limit: number): Stored<T>[] {
    const page: Stored<T>[] = [];
    let index = 0;
    for (const item of this.items.values()) {
      if (index >= offset + limit) break;
      if (index >= offset) page.push(item);
      index += 1;
    }
    return page;
  }

  get(id: number): Stored<T> | undefined {
    return this.items.get(id);
  }

  create(data: T): Stored<T> {
    if (this.items.size >= this.maxItems) throw new StoreFullError(`store is full (${this.maxItems} items); delete some first`);
    const now = new Date().toISOString();
    const item = { ...data, id: this.nextId, createdAt: now, updatedAt: now } as Stored<T>;
    this.nextId += 1;
    this.items.set(item.id, item);
    return item;
  }

  replace(id: number, data: T): Stored<T> | undefined {
    const existing = this.items.get(id);
    if (!existing) return undefined;
    const item = { ...data, id, createdAt: existing.createdAt, updatedAt: new Date().toISOString() } as Stored<T>;
    this.items.set(id, item);
    return item;
  }

  delete(id: number): boolean {
    return this.items.delete(id);
  }
}
