/**
 * Call metrics from the stream timeline: who talked how much, overtalk, interruptions, monologues, paused and
 * discarded time, pace and time to the agent's first word. Pure: computed from final segments (their word timings)
 * and the stream's gaps, so the live pipeline, a recomputation at call end and tests all get the same numbers.
 *
 * All times are seconds on the AudioHook stream timeline (paused and discarded spans included), like segment offsets.
 */
import type { Role, TranscriptSegment } from '../events.js';
import { clipTo, differenceOf, intersectionOf, totalOf, unionOf, type Interval } from './time-intervals.js';

/** A span of the stream timeline without audio: the client paused (`paused`…`resumed`) or dropped it (`discarded`). */
export interface StreamGap {
  kind: 'paused' | 'discarded';
  /** seconds on the stream timeline */
  start: number;
  duration: number;
}

export interface PerRole<T> {
  customer: T;
  agent: T;
}

export interface CallMetrics {
  /** 'live' while the call runs (recomputed as finals arrive); 'final' once computed at call end */
  status: 'live' | 'final';
  /** ISO-8601 wall-clock time of computation */
  computedAt: string;
  /** stream timeline covered so far (the whole call once final) */
  durationSeconds: number;
  /** speech per role (union of word timings; words closer than 0.3 s count as continuous speech) */
  talkSeconds: PerRole<number>;
  /** agent talk ÷ (agent + customer talk); null before anyone spoke */
  agentTalkShare: number | null;
  /** streamed time in which nobody spoke (paused and discarded time excluded) */
  silenceSeconds: number;
  /** both roles speaking at once */
  overtalkSeconds: number;
  /** times a role started speaking while the other was speaking, overlapping it by at least 0.5 s */
  interruptions: PerRole<number>;
  /** longest stretch one role spoke without the other speaking (own pauses under 2 s bridged) */
  longestMonologueSeconds: PerRole<number>;
  pausedSeconds: number;
  discardedSeconds: number;
  /** words ÷ talk minutes; null without talk */
  wordsPerMinute: PerRole<number | null>;
  /** stream position of the agent's first word; null if the agent has not spoken */
  timeToFirstAgentWordSeconds: number | null;
  /** what the timeline chart draws: speech per role, overtalk and gaps */
  timeline: {
    customer: [number, number][];
    agent: [number, number][];
    overtalk: [number, number][];
    gaps: StreamGap[];
  };
}

export interface CallMetricsInput {
  /** final segments, any order */
  segments: readonly TranscriptSegment[];
  gaps: readonly StreamGap[];
  /** stream timeline length so far (end position at call end) */
  durationSeconds: number;
  status: CallMetrics['status'];
  now?: Date;
}

/** The thresholds behind the definitions above; exported so docs and tests name the same numbers. */
export const CALL_METRIC_THRESHOLDS = {
  /** gap between words still counted as one stretch of speech */
  speechBridgeSeconds: 0.3,
  /** least overlap that makes starting to speak over someone an interruption (shorter = back-channel, "mm-hm") */
  interruptionOverlapSeconds: 0.5,
  /** own pause that does not end a monologue */
  monologueBridgeSeconds: 2,
} as const;

const ROLES: readonly Role[] = ['customer', 'agent'];

const round = (value: number): number => Math.round(value * 1000) / 1000;
const roundIntervals = (intervals: readonly Interval[]): [number, number][] =>
  intervals.map(([s, e]) => [round(s), round(e)]);

function speechOf(segment: TranscriptSegment): Interval[] {
  if (segment.words.length === 0) return [[segment.offset, segment.offset + segment.duration]];
  return segment.words.map((word): Interval => [word.offset, word.offset + word.duration]);
}

function wordCountOf(segment: TranscriptSegment): number {
  return segment.words.length > 0 ? segment.words.length : (segment.text.match(/\S+/g)?.length ?? 0);
}

function interruptionsBy(speaker: readonly Interval[], other: readonly Interval[]): number {
  let count = 0;
  for (const [start, end] of speaker) {
    const interrupted = other.find(([s, e]) => s < start && start < e);
    if (
      interrupted &&
      Math.min(end, interrupted[1]) - start >= CALL_METRIC_THRESHOLDS.interruptionOverlapSeconds
    )
      count++;
  }
  return count;
}

/** Longest run per role: a run goes on across the role's own short pauses and ends when the other role speaks. */
function longestMonologues(speech: PerRole<Interval[]>): PerRole<number> {
  const tagged = ROLES.flatMap((role) => speech[role].map(([s, e]) => ({ role, s, e }))).sort(
    (a, b) => a.s - b.s,
  );
  const longest: PerRole<number> = { customer: 0, agent: 0 };
  let run: { role: Role; s: number; e: number } | null = null;
  const close = () => {
    if (run) longest[run.role] = Math.max(longest[run.role], run.e - run.s);
  };
  for (const part of tagged) {
    if (run && part.role === run.role && part.s - run.e <= CALL_METRIC_THRESHOLDS.monologueBridgeSeconds) {
      run.e = Math.max(run.e, part.e);
      continue;
    }
    if (run && part.role !== run.role && part.s < run.e) run.e = part.s; // cut where the other one starts
    close();
    run = { ...part };
  }
  close();
  return longest;
}

export function computeCallMetrics(input: CallMetricsInput): CallMetrics {
  const duration = Math.max(0, input.durationSeconds);
  const finals = input.segments.filter((segment) => segment.isFinal);
  const speech: PerRole<Interval[]> = { customer: [], agent: [] };
  const words: PerRole<number> = { customer: 0, agent: 0 };
  for (const role of ROLES) {
    const own = finals.filter((segment) => segment.role === role);
    speech[role] = clipTo(
      unionOf(own.flatMap(speechOf), CALL_METRIC_THRESHOLDS.speechBridgeSeconds),
      duration,
    );
    words[role] = own.reduce((sum, segment) => sum + wordCountOf(segment), 0);
  }
  const talk: PerRole<number> = { customer: totalOf(speech.customer), agent: totalOf(speech.agent) };
  const overtalk = intersectionOf(speech.customer, speech.agent);
  const anyone = unionOf([...speech.customer, ...speech.agent]);
  const gapIntervals = clipTo(
    unionOf(input.gaps.map((gap): Interval => [gap.start, gap.start + gap.duration])),
    duration,
  );
  const streamedSilence = differenceOf(differenceOf([[0, duration]], anyone), gapIntervals);
  const gapTotal = (kind: StreamGap['kind']) =>
    totalOf(
      clipTo(
        unionOf(
          input.gaps
            .filter((gap) => gap.kind === kind)
            .map((gap): Interval => [gap.start, gap.start + gap.duration]),
        ),
        duration,
      ),
    );
  const agentWords = finals
    .filter((segment) => segment.role === 'agent')
    .flatMap((segment) => (segment.words.length > 0 ? segment.words.map((w) => w.offset) : [segment.offset]));
  const monologues = longestMonologues(speech);
  const perMinute = (role: Role) => (talk[role] > 0 ? round((words[role] / talk[role]) * 60) : null);
  return {
    status: input.status,
    computedAt: (input.now ?? new Date()).toISOString(),
    durationSeconds: round(duration),
    talkSeconds: { customer: round(talk.customer), agent: round(talk.agent) },
    agentTalkShare: talk.customer + talk.agent > 0 ? round(talk.agent / (talk.customer + talk.agent)) : null,
    silenceSeconds: round(totalOf(streamedSilence)),
    overtalkSeconds: round(totalOf(overtalk)),
    interruptions: {
      customer: interruptionsBy(speech.customer, speech.agent),
      agent: interruptionsBy(speech.agent, speech.customer),
    },
    longestMonologueSeconds: { customer: round(monologues.customer), agent: round(monologues.agent) },
    pausedSeconds: round(gapTotal('paused')),
    discardedSeconds: round(gapTotal('discarded')),
    wordsPerMinute: { customer: perMinute('customer'), agent: perMinute('agent') },
    timeToFirstAgentWordSeconds: agentWords.length > 0 ? round(Math.min(...agentWords)) : null,
    timeline: {
      customer: roundIntervals(speech.customer),
      agent: roundIntervals(speech.agent),
      overtalk: roundIntervals(overtalk),
      gaps: input.gaps.map((gap) => ({
        kind: gap.kind,
        start: round(gap.start),
        duration: round(gap.duration),
      })),
    },
  };
}
