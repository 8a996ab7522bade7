/**
 * One shared timer for every session in the process: a timer wheel with `slots` slots per frame period.
 * A session joins at the next slot boundary and is called back once per frame period, always from the same slot,
 * so 5,000 sessions are spread evenly over the period instead of all sending at once, and no session owns a timer.
 * Ticks are computed from the monotonic clock, so a late timer catches up instead of drifting.
 */
export interface FrameClockMember {
  /**
   * Called once per frame period. `dueFrames` is the number of frames that should have been sent by now since the
   * member joined (1 on the first call); `nowMs` is performance.now().
   */
  onFrameTick(dueFrames: number, nowMs: number): void;
}

interface Entry {
  member: FrameClockMember;
  joinTick: number;
}

export class FrameClock {
  readonly tickMs: number;
  private readonly slots: Entry[][];
  private readonly index = new Map<FrameClockMember, { slot: number; entry: Entry }>();
  private readonly epoch: number;
  private lastTick = -1;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly manual: boolean;

  /**
   * `options.now` replaces performance.now() and `options.manual` leaves the timer off, so that tests drive the
   * wheel through runDue() with a fake clock.
   */
  constructor(
    readonly frameMs: number,
    slotCount = Math.max(1, Math.round(frameMs / 10)),
    options: { now?: () => number; manual?: boolean } = {},
  ) {
    this.tickMs = frameMs / slotCount;
    this.slots = Array.from({ length: slotCount }, () => []);
    this.now = options.now ?? (() => performance.now());
    this.manual = options.manual ?? false;
    this.epoch = this.now();
  }

  get size(): number {
    return this.index.size;
  }

  /** Joins at the next slot boundary; returns the time (performance.now() scale) of the member's frame 0. */
  add(member: FrameClockMember): number {
    if (this.index.has(member)) throw new Error('already on the clock');
    const joinTick = this.currentTick() + 1;
    const slot = joinTick % this.slots.length;
    const entry = { member, joinTick };
    this.slots[slot]!.push(entry);
    this.index.set(member, { slot, entry });
    this.start();
    return this.epoch + joinTick * this.tickMs;
  }

  remove(member: FrameClockMember): void {
    const found = this.index.get(member);
    if (!found) return;
    this.index.delete(member);
    const list = this.slots[found.slot]!;
    const i = list.indexOf(found.entry);
    // swap-remove: order within a slot does not matter
    if (i >= 0) {
      list[i] = list[list.length - 1]!;
      list.pop();
    }
    if (this.index.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private start(): void {
    if (this.lastTick < 0) this.lastTick = this.currentTick();
    if (this.timer || this.manual) return;
    this.timer = setInterval(() => this.runDue(), this.tickMs);
  }

  private currentTick(): number {
    return Math.floor((this.now() - this.epoch) / this.tickMs);
  }

  /** Calls the members of every slot whose time has come since the last run (the timer calls this). */
  runDue(): void {
    const now = this.now();
    const target = Math.floor((now - this.epoch) / this.tickMs);
    const slotCount = this.slots.length;
    // a stall longer than a whole period only needs each slot once: members compute their own due frames
    let tick = Math.max(this.lastTick + 1, target - slotCount + 1);
    for (; tick <= target; tick++) {
      const list = this.slots[tick % slotCount]!;
      // iterate over a snapshot: callbacks may remove members (session ended) or add new ones
      for (const entry of list.slice()) {
        if (entry.joinTick > tick || !this.index.has(entry.member)) continue;
        const dueFrames = Math.floor((tick - entry.joinTick) / slotCount) + 1;
        entry.member.onFrameTick(dueFrames, now);
      }
    }
    this.lastTick = target;
  }
}
