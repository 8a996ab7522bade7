/**
 * Post-call jobs are queued only once the recorder has finalised the call's recording (WAV and sidecar), whichever
 * of the two reports comes first; a report that never comes delays the job by the bound, with a warning, never
 * loses it.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecordingFinalisation } from '../src/postcall/recording-finalisation.js';

function logCapture() {
  const lines: { msg: string; sessionId?: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('RecordingFinalisation', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a call that ends before its recording is finalised waits for the report', async () => {
    const { log } = logCapture();
    const gate = new RecordingFinalisation({ recording: true, waitMs: 30_000, log });
    let queued = false;
    void gate.whenFinalised('a').then(() => (queued = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(queued).toBe(false);
    gate.finalised('b'); // another call's report does not release it
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toBe(false);
    gate.finalised('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toBe(true);
    expect(gate.pending).toBe(0);
  });

  it('a recording finalised first lets the job go at once, once', async () => {
    const { log } = logCapture();
    const gate = new RecordingFinalisation({ recording: true, waitMs: 30_000, log });
    gate.finalised('a');
    let queued = false;
    void gate.whenFinalised('a').then(() => (queued = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toBe(true);
    // the report was used up: a second wait for the same id waits again
    let again = false;
    void gate.whenFinalised('a').then(() => (again = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(again).toBe(false);
  });

  it('no report within the bound: the job is queued anyway, and the log says so', async () => {
    const { log, lines } = logCapture();
    const gate = new RecordingFinalisation({ recording: true, waitMs: 30_000, log });
    let queued = false;
    void gate.whenFinalised('a').then(() => (queued = true));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(queued).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(queued).toBe(true);
    expect(lines).toEqual([
      expect.objectContaining({
        sessionId: 'a',
        msg: expect.stringMatching(/not reported finalised in time/),
      }),
    ]);
  });

  it('with recording off nothing is waited for', async () => {
    const { log } = logCapture();
    const gate = new RecordingFinalisation({ recording: false, waitMs: 30_000, log });
    let queued = false;
    void gate.whenFinalised('a').then(() => (queued = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(queued).toBe(true);
  });
});
