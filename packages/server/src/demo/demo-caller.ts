/**
 * HOOKSCRIBE_DEMO=1: streams the bundled sample calls (packages/server/demo-calls/*.wav, synthesised by
 * generate.sh there) through this server's own AudioHook endpoint, in real time and in a loop, so a newcomer sees
 * live calls, transcripts and recordings in the UI within seconds. Each "line" plays the calls one after another
 * with a short pause; lines start staggered so the board shows calls starting and ending at different times.
 *   const demo = new DemoCaller({ url, apiKey, secret }); demo.start(); … await demo.stop();
 * It is a real AudioHook client (the simulator's SimSession): signed upgrade, open, audio, pings, close.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrameClock, scenario, SimSession, WavSource, type SessionResult } from '@hookscribe/sim';

/** packages/server/{src,dist}/demo → packages/server/demo-calls */
export const DEMO_CALLS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../demo-calls');

export function bundledDemoCalls(dir = DEMO_CALLS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => join(dir, f));
}

export interface DemoCallerOptions {
  /** the server's AudioHook endpoint, e.g. ws://127.0.0.1:8080/api/v1/audiohook/ws */
  url: string;
  /** one configured AudioHook API key and its base64 client secret (null: unsigned, for servers without a secret) */
  apiKey: string;
  secret: string | null;
  /** WAV files to play (default: the bundled demo calls) */
  calls?: string[];
  /** calls in progress at once (default 2) */
  lines?: number;
  /** pause between the calls of one line (default 4000 ms) */
  pauseMs?: number;
  language?: string;
  onCallEnded?: (file: string, result: SessionResult) => void;
  onError?: (file: string, error: Error) => void;
}

export class DemoCaller {
  private running = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void)[] = [];
  private readonly clock = new FrameClock(200);
  private sources = new Map<string, Promise<WavSource>>();
  private next = 0;

  constructor(private readonly options: DemoCallerOptions) {}

  get started(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    const calls = this.options.calls ?? bundledDemoCalls();
    if (calls.length === 0) throw new Error('no demo calls to play');
    this.running = true;
    const lines = Math.max(1, this.options.lines ?? 2);
    const pauseMs = this.options.pauseMs ?? 4000;
    for (let line = 0; line < lines; line++) {
      this.loops.push(this.runLine(calls, line * 7000, pauseMs));
    }
  }

  /** Stops starting calls and waits for the calls in progress to finish (each is at most one sample call long). */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.wake.splice(0)) wake();
    await Promise.all(this.loops);
    this.loops = [];
    this.clock.stop();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      const wake = this.wake;
      function done() {
        clearTimeout(timer);
        const i = wake.indexOf(done);
        if (i >= 0) wake.splice(i, 1);
        resolve();
      }
      wake.push(done);
    });
  }

  private source(file: string): Promise<WavSource> {
    let source = this.sources.get(file);
    if (!source) {
      source = WavSource.load(file);
      this.sources.set(file, source);
    }
    return source;
  }

  private async runLine(calls: string[], delayMs: number, pauseMs: number): Promise<void> {
    await this.sleep(delayMs);
    while (this.running) {
      const file = calls[this.next++ % calls.length]!;
      try {
        const source = await this.source(file);
        const session = new SimSession({
          url: new URL(this.options.url),
          apiKey: this.options.apiKey,
          secret: this.options.secret,
          organizationId: '00000000-0000-4000-8000-00000000de70',
          scenario: scenario('basic'),
          source,
          durationMs: (source.lengthSamples / 8000) * 1000,
          format: 'PCMU',
          channels: 'stereo',
          language: this.options.language ?? 'en-US',
          frameMs: 200,
          realtime: true,
          speed: 1,
          timeoutMs: 15_000,
          customConfig: null,
          supportedLanguages: false,
          clock: this.clock,
        });
        this.options.onCallEnded?.(file, await session.run());
      } catch (error) {
        this.options.onError?.(file, error as Error);
      }
      if (this.running) await this.sleep(pauseMs);
    }
  }
}

/**
 * The credentials the demo caller signs with: the first configured AudioHook key (an empty secret means unsigned),
 * or the development key the server generated when none is configured.
 */
export function demoCredentials(
  keys: Record<string, string> | null,
  devKey: { apiKey: string; secret: string } | null,
): { apiKey: string; secret: string | null } {
  const configured = keys ? Object.entries(keys)[0] : undefined;
  if (configured) return { apiKey: configured[0], secret: configured[1] || null };
  if (devKey) return { apiKey: devKey.apiKey, secret: devKey.secret };
  throw new Error('no AudioHook key for the demo caller');
}
