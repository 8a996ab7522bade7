import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DECODER_WORKER_SOURCE } from './decoder-worker.js';
import type { DecodedHypothesis, DecoderInit, DecoderReply, DecoderRequest } from './decoder-protocol.js';

export interface DecoderPoolOptions {
  /** pocketsphinx arguments every decoder is created with */
  args: string[];
  /** domain language model and extra words every decoder loads at start */
  models?: Pick<DecoderInit, 'domainLm' | 'extraWords'>;
  /** the phone front end the decoder threads run on 8 kHz input (null or absent: input is 16 kHz) */
  phoneFrontEnd?: DecoderInit['phoneFrontEnd'];
  /** most decoders alive at once (each ≈ 90 MB, ≈ 0.8 s to create) */
  maxDecoders: number;
  /** decoders created by start() and kept warm */
  warmDecoders: number;
  /** callers allowed to wait for a decoder when all are busy; beyond that acquire() fails at once */
  maxWaiting: number;
  /** how long a caller waits for a decoder before acquire() fails */
  acquireTimeoutMs: number;
  /** watchdog: a request not answered within this time kills its worker */
  requestTimeoutMs: number;
  /** watchdog for creating a decoder (model loading; slow on a loaded machine) */
  startTimeoutMs: number;
  /**
   * nice value (0–19) of the decoder threads: live decoders run a little below the event loop so decoding never
   * starves ping/open; post-call decoders run at 19 and only take CPU nobody else wants
   */
  niceness: number;
}

export const DEFAULT_POOL_OPTIONS: Omit<DecoderPoolOptions, 'args'> = {
  maxDecoders: 4,
  warmDecoders: 1,
  maxWaiting: 16,
  acquireTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  startTimeoutMs: 60_000,
  niceness: 0,
};

export class DecoderPoolExhaustedError extends Error {
  override name = 'DecoderPoolExhaustedError';
}
export class DecoderFailedError extends Error {
  override name = 'DecoderFailedError';
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve: (reply: DecoderReply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** DecoderInit.initLock: one per process, whatever the pool (0 free, else the threadId of the thread holding it) */
const DECODER_INIT_LOCK = new SharedArrayBuffer(4);

/** One worker thread owning one pocketsphinx decoder. */
class DecoderWorker {
  private readonly worker: Worker;
  private readonly threadId: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  readonly ready: Promise<void>;
  dead: Error | null = null;

  constructor(
    init: DecoderInit & { niceness: number },
    private readonly requestTimeoutMs: number,
    startTimeoutMs: number,
    private readonly onDeath: (w: DecoderWorker) => void,
  ) {
    this.worker = new Worker(DECODER_WORKER_SOURCE, { eval: true, workerData: init });
    // read now: once the thread has ended, worker.threadId is -1
    this.threadId = this.worker.threadId;
    this.worker.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill(new DecoderFailedError(`pocketsphinx decoder did not start within ${startTimeoutMs} ms`));
      }, startTimeoutMs);
      const onReady = (m: DecoderReply) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'init-failed')
          this.kill(new DecoderFailedError(`pocketsphinx decoder: ${m.message}`));
        else return;
        clearTimeout(timer);
        this.worker.off('message', onReady);
      };
      this.worker.on('message', onReady);
      this.deathListeners.push((err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: DecoderReply) => {
      if (!('id' in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.type === 'error') p.reject(new DecoderFailedError(`pocketsphinx: ${m.message}`));
      else p.resolve(m);
    });
    this.worker.on('error', (err) =>
      this.kill(new DecoderFailedError(`pocketsphinx worker crashed: ${err.message}`)),
    );
    this.worker.on('exit', (code) =>
      this.kill(new DecoderFailedError(`pocketsphinx worker exited (code ${code})`)),
    );
  }

  private readonly deathListeners: ((err: Error) => void)[] = [];

  request(req: WithoutId<DecoderRequest>, transfer?: ArrayBuffer[]): Promise<DecoderReply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<DecoderReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill(
          new DecoderFailedError(
            `pocketsphinx worker hung: no answer to '${req.type}' in ${this.requestTimeoutMs} ms`,
          ),
        );
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...req, id }, transfer ?? []);
    });
  }

  /** Ends the thread and fails everything in flight with `reason`. Idempotent. */
  kill(reason: Error): void {
    if (this.dead) return;
    this.dead = reason;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    this.pending.clear();
    for (const l of this.deathListeners) l(reason);
    // a thread ended inside ps_init (start timeout, crash) would hold the decoder-start lock for good
    const lock = new Int32Array(DECODER_INIT_LOCK);
    if (Atomics.compareExchange(lock, 0, this.threadId, 0) === this.threadId) Atomics.notify(lock, 0);
    void this.worker.terminate();
    this.onDeath(this);
  }

  async close(): Promise<void> {
    if (this.dead) return;
    this.dead = new DecoderFailedError('decoder pool stopped');
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.dead);
    }
    this.pending.clear();
    await this.worker.terminate();
  }
}

/** Exclusive use of one decoder for one utterance; call release() when done (also after a failure). */
export class DecoderLease {
  private released = false;

  constructor(
    private readonly worker: DecoderWorker,
    private readonly giveBack: (w: DecoderWorker) => void,
  ) {}

  get failed(): Error | null {
    return this.worker.dead;
  }

  /** `cmnMean`: the stream's own CMN estimate (null: the model's initial one), so results never depend on the decoder's history */
  async startUtterance(cmnMean: number[] | null = null): Promise<void> {
    await this.worker.request({ type: 'start', cmnMean });
  }

  /**
   * Feeds PCM at the pool's rate (8 kHz goes through the thread's phone front end); returns the partial hypothesis
   * when asked for one. `transfer`: the caller hands over `pcm`'s buffer (it must own all of it).
   */
  async process(
    pcm: Int16Array,
    wantHypothesis: boolean,
    transfer = false,
  ): Promise<DecodedHypothesis | null> {
    const reply = await this.worker.request(
      { type: 'process', pcm, wantHypothesis },
      transfer ? [pcm.buffer as ArrayBuffer] : undefined,
    );
    return reply.type === 'hypothesis' ? reply.hypothesis : null;
  }

  async endUtterance(): Promise<DecodedHypothesis> {
    const reply = await this.worker.request({ type: 'end' });
    if (reply.type !== 'hypothesis' || !reply.hypothesis)
      throw new DecoderFailedError('pocketsphinx: no result');
    return reply.hypothesis;
  }

  /** Fault injection (tests of the watchdog and crash recovery). */
  injectFault(kind: 'exit' | 'hang'): Promise<DecoderReply> {
    return this.worker.request({ type: 'fault', kind });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.giveBack(this.worker);
  }
}

export interface DecoderPoolStats {
  alive: number;
  idle: number;
  busy: number;
  waiting: number;
  created: number;
  died: number;
}

interface Waiter {
  resolve: (lease: DecoderLease) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Bounded pool of decoder worker threads. Decoders are created lazily up to `maxDecoders` and reused across
 * utterances and calls; when all are busy, callers queue (at most `maxWaiting`, at most `acquireTimeoutMs`) and
 * otherwise get a DecoderPoolExhaustedError. A worker that crashes or hangs (watchdog) fails its lease holder's
 * requests with DecoderFailedError and is replaced; the process is never affected.
 */
export class DecoderPool {
  readonly options: DecoderPoolOptions;
  private readonly koffiPath = createRequire(import.meta.url).resolve('koffi');
  private readonly idle: DecoderWorker[] = [];
  private readonly busy = new Set<DecoderWorker>();
  private readonly starting = new Set<DecoderWorker>();
  private readonly waiters: Waiter[] = [];
  private created = 0;
  private died = 0;
  private stopped = false;

  constructor(options: Partial<DecoderPoolOptions> & { args: string[] }) {
    this.options = { ...DEFAULT_POOL_OPTIONS, ...options };
    if (this.options.maxDecoders < 1) throw new RangeError('maxDecoders must be ≥ 1');
  }

  stats(): DecoderPoolStats {
    return {
      alive: this.idle.length + this.busy.size + this.starting.size,
      idle: this.idle.length,
      busy: this.busy.size,
      waiting: this.waiters.length,
      created: this.created,
      died: this.died,
    };
  }

  /** Creates the warm decoders; rejects when the first cannot be created (bad model path, bad arguments). */
  async start(): Promise<void> {
    this.stopped = false;
    const missing = Math.max(
      0,
      Math.min(this.options.warmDecoders, this.options.maxDecoders) - this.stats().alive,
    );
    const spawned = Array.from({ length: missing }, () => this.spawn());
    await Promise.all(spawned.map((w) => w.ready));
  }

  async acquire(): Promise<DecoderLease> {
    if (this.stopped) throw new DecoderFailedError('decoder pool stopped');
    const worker = this.idle.pop();
    if (worker) return this.lease(worker);
    if (this.stats().alive < this.options.maxDecoders) {
      const fresh = this.spawn(false);
      await fresh.ready;
      this.starting.delete(fresh);
      if (this.stopped) throw new DecoderFailedError('decoder pool stopped');
      return this.lease(fresh);
    }
    if (this.waiters.length >= this.options.maxWaiting) {
      throw new DecoderPoolExhaustedError(
        `pocketsphinx decoder pool exhausted: ${this.options.maxDecoders} decoders busy and ${this.waiters.length} callers already waiting`,
      );
    }
    return new Promise<DecoderLease>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(
            new DecoderPoolExhaustedError(
              `pocketsphinx decoder pool exhausted: no decoder free within ${this.options.acquireTimeoutMs} ms`,
            ),
          );
        }, this.options.acquireTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Fault injection for the watchdog tests: makes every busy decoder thread exit or hang. */
  injectFault(kind: 'exit' | 'hang'): void {
    for (const w of this.busy) w.request({ type: 'fault', kind }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new DecoderFailedError('decoder pool stopped'));
    }
    const all = [...this.idle, ...this.busy, ...this.starting];
    this.idle.length = 0;
    this.busy.clear();
    this.starting.clear();
    await Promise.all(all.map((w) => w.close()));
  }

  /** `toIdle`: hand the decoder to a waiter or the idle list once ready (else the caller leases it). */
  private spawn(toIdle = true): DecoderWorker {
    const worker = new DecoderWorker(
      {
        koffiPath: this.koffiPath,
        args: this.options.args,
        niceness: this.options.niceness,
        phoneFrontEnd: this.options.phoneFrontEnd ?? null,
        initLock: DECODER_INIT_LOCK,
        ...this.options.models,
      },
      this.options.requestTimeoutMs,
      this.options.startTimeoutMs,
      (w) => this.onDeath(w),
    );
    this.created++;
    this.starting.add(worker);
    worker.ready.then(
      () => {
        if (!toIdle || !this.starting.has(worker)) return;
        this.starting.delete(worker);
        this.giveBack(worker, false);
      },
      () => this.starting.delete(worker),
    );
    return worker;
  }

  private lease(worker: DecoderWorker): DecoderLease {
    this.busy.add(worker);
    return new DecoderLease(worker, (w) => this.giveBack(w, true));
  }

  private giveBack(worker: DecoderWorker, wasBusy: boolean): void {
    if (wasBusy) this.busy.delete(worker);
    if (worker.dead || this.stopped) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.lease(worker));
    } else {
      this.idle.push(worker);
    }
  }

  private onDeath(worker: DecoderWorker): void {
    if (this.stopped) return;
    this.died++;
    this.busy.delete(worker);
    this.starting.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    // replace it so waiting callers and the warm minimum are served
    if (this.waiters.length > 0 || this.stats().alive < this.options.warmDecoders) this.spawn();
  }
}
