/**
 * A single-consumer async queue behind `SpeechStream.results()`: producers push results, the consumer iterates, and
 * `end()` finishes the iteration after everything pushed before it was delivered.
 */
export class ResultQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: ((value: IteratorResult<T>) => void) | null = null;
  private ended = false;
  private iterated = false;

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter && this.items.length === 0) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve({ value: undefined, done: true });
    }
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** items pushed but not yet taken by the consumer */
  get backlog(): number {
    return this.items.length;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    // One consumer: a second iterator would silently steal results.
    if (this.iterated) throw new Error('results() can be iterated only once');
    this.iterated = true;
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
      return: () => {
        this.ended = true;
        this.items.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
