/**
 * The call recorder, a SessionEventHub subscriber: per call (probes excepted) a WAV of exactly the audio bytes
 * received and a JSON sidecar of every protocol message, under `<dataDir>/recordings/YYYY-MM-DD/<sessionId>.{wav,json}`
 * (date of `opened`, UTC), written in batches: audio reaches the disk within 2 s, messages within 5 s. Both files are finalised on `ended`, which the connection emits for normal closes and for
 * dropped sockets alike. A disk error is logged and counted and only costs the affected file; the call goes on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../metrics.js';
import type { CallInfo, SessionEventHub } from '../session-events.js';
import { ProtocolLogWriter } from './protocol-log-writer.js';
import { SpreadFlushSchedule } from './spread-flush-schedule.js';
import { WavFileWriter } from './wav-file-writer.js';

export interface FinalizedRecording {
  wavPath: string | null;
  jsonPath: string;
  audioBytes: number | null;
}

export interface CallRecorderOptions {
  dataDir: string;
  logger: Logger;
  metrics?: ServerMetrics;
  /** a call's WAV is being written (its files are not final until onFinalized) */
  onStarted?: (call: CallInfo) => void;
  /** both files of a call are final on disk (e.g. to move them to the recording store) */
  onFinalized?: (call: CallInfo, recording: FinalizedRecording) => void;
}

interface CallRecording {
  log: Logger;
  base: string;
  wav: WavFileWriter | null;
  sidecar: ProtocolLogWriter | null;
  frames: number;
  flushStale(): void;
}

/** Every recording is checked for stale staged data once per period (audio waits ≤ 2 s, messages ≤ 5 s). */
const FLUSH_PERIOD_MS = 1000;

export function recordingDirFor(dataDir: string, openedAt: string): string {
  return join(dataDir, 'recordings', openedAt.slice(0, 10));
}

/**
 * The recording-store key of a call: `YYYY-MM-DD/<sessionId>`, the recorder's own layout under
 * `<dataDir>/recordings`, so the filesystem store keeps files where they were written and blob stores get the same
 * date prefixes.
 */
export function recordingKeyFor(sessionId: string, openedAt: string): string {
  return `${openedAt.slice(0, 10)}/${sessionId}`;
}

export function attachCallRecorder(hub: SessionEventHub, options: CallRecorderOptions): void {
  const recordings = new Map<string, CallRecording>();
  const createdDirs = new Set<string>();
  const staleFlushes = new SpreadFlushSchedule<CallRecording>(FLUSH_PERIOD_MS);
  const track = (sessionId: string, recording: CallRecording) => {
    recordings.set(sessionId, recording);
    staleFlushes.add(recording);
  };
  const untrack = (sessionId: string, recording: CallRecording) => {
    recordings.delete(sessionId);
    staleFlushes.delete(recording);
  };

  const reportFailure = (log: Logger, file: 'wav' | 'sidecar', err: Error) => {
    options.metrics?.recordingErrors.inc({ file });
    log.error({ err, file }, 'recording write failed; the call continues without this file');
  };

  const start = (call: CallInfo, log: Logger): CallRecording | null => {
    const dir = recordingDirFor(options.dataDir, call.openedAt);
    try {
      // once per day directory; cheap and keeps the writers simple (no queue while a directory is being made)
      if (!createdDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        createdDirs.add(dir);
      }
    } catch (err) {
      reportFailure(log, 'sidecar', err as Error);
      if (call.media) reportFailure(log, 'wav', err as Error);
      return null;
    }
    const base = join(dir, call.sessionId);
    const wav = call.media
      ? new WavFileWriter(
          `${base}.wav`,
          { format: call.media.format, channels: call.media.channels.length, sampleRate: call.media.rate },
          (err) => reportFailure(log, 'wav', err),
        )
      : null;
    const sidecar = new ProtocolLogWriter(
      `${base}.json`,
      {
        call,
        recording: {
          wav: wav ? `${call.sessionId}.wav` : null,
          format: call.media?.format ?? null,
          channels: call.media?.channels ?? [],
          sampleRate: call.media?.rate ?? null,
        },
      },
      (err) => reportFailure(log, 'sidecar', err),
    );
    return {
      log,
      base,
      wav,
      sidecar,
      frames: 0,
      flushStale() {
        wav?.flushStale();
        sidecar.flushStale();
      },
    };
  };

  hub.on('opened', function recordOpened({ call, log }) {
    if (call.isProbe) return;
    const recording = start(call, log);
    if (recording) track(call.sessionId, recording);
    if (recording?.wav) options.onStarted?.(call);
  });

  hub.on('message', function recordMessage({ call, direction, text, at }) {
    recordings.get(call.sessionId)?.sidecar?.append(direction, text, at);
  });

  hub.on('audio', function recordAudio({ call, raw }) {
    const recording = recordings.get(call.sessionId);
    if (!recording?.wav) return;
    recording.wav.append(raw);
    recording.frames += 1;
  });

  hub.on('ended', async function finalizeRecording({ call, outcome, atSample, endedAt }) {
    const recording = recordings.get(call.sessionId);
    if (!recording) return;
    untrack(call.sessionId, recording);
    let audioBytes: number | null = null;
    if (recording.wav) {
      try {
        audioBytes = await recording.wav.finalize();
      } catch {
        // reported when it happened
      }
    }
    try {
      await recording.sidecar?.finalize({
        at: endedAt.toISOString(),
        outcome,
        positionSamples: atSample,
        audioFrames: recording.frames,
        audioBytes,
        wavComplete: recording.wav ? audioBytes !== null : null,
      });
    } catch {
      // reported when it happened
    }
    recording.log.debug({ audioBytes, frames: recording.frames }, 'recording finalised');
    options.onFinalized?.(call, {
      wavPath: recording.wav && audioBytes !== null ? `${recording.base}.wav` : null,
      jsonPath: `${recording.base}.json`,
      audioBytes,
    });
  });
}
