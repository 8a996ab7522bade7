import { FrameClock } from './frame-clock.js';
import { LatencyStats, type LatencySummary } from './latency-stats.js';
import type { SimOptions } from './options.js';
import type { Output } from './output.js';
import { scenario } from './scenarios.js';
import { SimSession, type SessionResult } from './sim-session.js';
import type { AudioSource } from './audio-source.js';
import { formatTranscriptLine } from './transcript-line.js';

export interface SingleRunSummary extends SessionResult {
  mode: 'single';
  url: string;
  exitCode: 0 | 1;
  rttMs: LatencySummary;
}

/** One session of the chosen scenario; transcripts are printed as they arrive. */
export async function runSingle(
  options: SimOptions,
  source: AudioSource,
  out: Output,
): Promise<SingleRunSummary> {
  const clock = new FrameClock(options.frameMs / options.speed);
  const session = new SimSession({
    url: new URL(options.url),
    apiKey: options.apiKey,
    secret: options.secret,
    organizationId: options.organizationId,
    scenario: scenario(options.scenario),
    source,
    durationMs: streamDurationMs(options, source),
    format: options.format,
    channels: options.channels,
    language: options.language,
    frameMs: options.frameMs,
    realtime: options.realtime,
    speed: options.speed,
    timeoutMs: options.timeoutSeconds * 1000,
    customConfig: options.customConfig,
    supportedLanguages: options.supportedLanguages,
    clock,
    ...(options.verbose ? { log: (line: string) => out.log(line) } : {}),
    onTranscript: (line) => out.result(formatTranscriptLine(line)),
  });
  const result = await session.run();
  clock.stop();
  const rtt = new LatencyStats();
  rtt.addAll(result.pingRttsMs);
  return { mode: 'single', url: options.url, ...result, exitCode: result.ok ? 0 : 1, rttMs: rtt.summary() };
}

export function streamDurationMs(options: SimOptions, source: AudioSource): number {
  if (options.durationSeconds !== null) return options.durationSeconds * 1000;
  return (source.lengthSamples / 8000) * 1000;
}

export function formatSingleSummary(s: SingleRunSummary): string {
  const lines = [`${s.ok ? 'PASS' : 'FAIL'} scenario ${s.scenario} against ${s.url}`];
  lines.push(`  session ${s.sessionId}, upgrade ${s.upgradeStatus ?? 'no response'}`);
  if (s.opened) {
    const media = s.opened.media[0];
    lines.push(
      `  opened in ${fmt(s.openedLatencyMs)} ms, media ${media ? `${media.format} ${media.channels.join('+')}` : '[]'}` +
        (s.opened.supportedLanguages
          ? `, languages ${s.opened.supportedLanguages.join(' ') || '(none)'}`
          : ''),
    );
  }
  if (s.rttMs.count > 0) {
    lines.push(`  pings ${s.rttMs.count}, rtt p50 ${fmt(s.rttMs.p50)} ms, max ${fmt(s.rttMs.max)} ms`);
  }
  lines.push(
    `  audio ${s.audioFramesSent} frames (${s.audioBytesSent} bytes), stream ${s.streamSeconds.toFixed(2)} s, ` +
      `server pauses ${s.serverPauses}, transcripts ${s.transcripts.length}, closed ${s.closedReceived ? 'yes' : 'no'}`,
  );
  lines.push(
    `  server messages: ${
      Object.entries(s.serverMessages)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  for (const note of s.notes) lines.push(`  note: ${note}`);
  if (s.violations.length > 0) {
    lines.push('  violations:');
    for (const v of s.violations) lines.push(`    - ${v}`);
  }
  return lines.join('\n');
}

function fmt(ms: number | null): string {
  return ms === null ? '-' : ms.toFixed(1);
}
