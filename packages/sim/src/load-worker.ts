/**
 * Worker-thread side of `--workers K`: runs its share of the sessions with its own FrameClock and posts counters
 * and new latency samples to the main thread four times a second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LoadTally } from './load-tally.js';
import { runLoadSessions } from './load-run.js';
import { openSource } from './open-source.js';
import type { SimOptions } from './options.js';

export interface LoadWorkerData {
  options: SimOptions;
  sessions: number;
  rate: number;
}

export type LoadWorkerMessage = {
  type: 'progress' | 'done';
  counts: LoadTally['counts'];
  rtt: number[];
  opened: number[];
};

const { options, sessions, rate } = workerData as LoadWorkerData;
const tally = new LoadTally();
const post = (type: LoadWorkerMessage['type']) =>
  parentPort!.postMessage({
    type,
    counts: tally.counts,
    ...tally.drainSamples(),
  } satisfies LoadWorkerMessage);
const ticker = setInterval(() => post('progress'), 250);
const source = await openSource(options.audio);
await runLoadSessions(options, source, { sessions, rate }, tally);
clearInterval(ticker);
post('done');
