/** Call metrics over calls whose timing is constructed word by word, so every number can be worked out by hand. */
import { describe, expect, it } from 'vitest';
import { computeCallMetrics, type Role, type StreamGap, type TranscriptSegment } from '../src/index.js';

let nextId = 0;
/** A final segment whose words are `words` one-second words back to back from `start`. */
function said(role: Role, start: number, words: number, wordSeconds = 1): TranscriptSegment {
  return {
    id: `s${nextId++}`,
    channel: role === 'customer' ? 0 : 1,
    role,
    text: Array.from({ length: words }, (_, i) => `w${i}`).join(' '),
    words: Array.from({ length: words }, (_, i) => ({
      text: `w${i}`,
      offset: start + i * wordSeconds,
      duration: wordSeconds,
      confidence: 0.9,
    })),
    offset: start,
    duration: words * wordSeconds,
    confidence: 0.9,
    isFinal: true,
    language: 'en-US',
    engine: 'test',
  };
}

const metrics = (segments: TranscriptSegment[], durationSeconds: number, gaps: StreamGap[] = []) =>
  computeCallMetrics({ segments, gaps, durationSeconds, status: 'final', now: new Date(0) });

describe('computeCallMetrics', () => {
  it('an empty call is all silence, with nulls where nothing can be said', () => {
    expect(metrics([], 30)).toMatchObject({
      durationSeconds: 30,
      talkSeconds: { customer: 0, agent: 0 },
      agentTalkShare: null,
      silenceSeconds: 30,
      overtalkSeconds: 0,
      interruptions: { customer: 0, agent: 0 },
      wordsPerMinute: { customer: null, agent: null },
      timeToFirstAgentWordSeconds: null,
    });
  });

  it('turn-taking without overlap: talk per role, silence between turns, pace and the first agent word', () => {
    // agent 2–7 (5 words), customer 9–19 (10 words), agent 21–24 (3 words), call 30 s
    const m = metrics([said('agent', 2, 5), said('customer', 9, 10), said('agent', 21, 3)], 30);
    expect(m.talkSeconds).toEqual({ customer: 10, agent: 8 });
    expect(m.agentTalkShare).toBeCloseTo(8 / 18, 3);
    expect(m.silenceSeconds).toBe(12);
    expect(m.overtalkSeconds).toBe(0);
    expect(m.interruptions).toEqual({ customer: 0, agent: 0 });
    expect(m.wordsPerMinute).toEqual({ customer: 60, agent: 60 });
    expect(m.timeToFirstAgentWordSeconds).toBe(2);
    expect(m.longestMonologueSeconds).toEqual({ customer: 10, agent: 5 });
    expect(m.timeline.agent).toEqual([
      [2, 7],
      [21, 24],
    ]);
  });

  it('overtalk and an interruption: the agent starts 2 s before the customer finishes', () => {
    // customer 0–10, agent 8–14: overlap 8–10
    const m = metrics([said('customer', 0, 10), said('agent', 8, 6)], 20);
    expect(m.overtalkSeconds).toBe(2);
    expect(m.timeline.overtalk).toEqual([[8, 10]]);
    expect(m.interruptions).toEqual({ customer: 0, agent: 1 });
    expect(m.silenceSeconds).toBe(6);
    // the customer's monologue ends where the agent cuts in
    expect(m.longestMonologueSeconds).toEqual({ customer: 8, agent: 6 });
  });

  it('a short back-channel over the other speaker is overtalk but not an interruption', () => {
    // customer 0–10; agent says "mm-hm" 4.0–4.4
    const m = metrics([said('customer', 0, 10), said('agent', 4, 1, 0.4)], 10);
    expect(m.overtalkSeconds).toBe(0.4);
    expect(m.interruptions).toEqual({ customer: 0, agent: 0 });
  });

  it('gaps between words under 0.3 s are speech, longer ones are silence; own pauses under 2 s keep a monologue', () => {
    const words = (start: number, offsets: number[]): TranscriptSegment => ({
      ...said('customer', start, 0),
      words: offsets.map((offset) => ({ text: 'w', offset, duration: 0.5, confidence: 1 })),
      text: offsets.map(() => 'w').join(' '),
    });
    // 0–0.5, 0.7–1.2 (gap 0.2 bridged), 2.2–2.7 (gap 1.0: silence, but the monologue goes on)
    const m = metrics([words(0, [0, 0.7, 2.2])], 3);
    expect(m.talkSeconds.customer).toBe(1.7);
    expect(m.silenceSeconds).toBeCloseTo(1.3, 3);
    expect(m.longestMonologueSeconds.customer).toBe(2.7);
  });

  it('paused and discarded spans are counted apart and are not silence', () => {
    const gaps: StreamGap[] = [
      { kind: 'paused', start: 10, duration: 8 },
      { kind: 'discarded', start: 25, duration: 0.5 },
    ];
    const m = metrics([said('customer', 0, 5), said('agent', 20, 4)], 30, gaps);
    expect(m.pausedSeconds).toBe(8);
    expect(m.discardedSeconds).toBe(0.5);
    expect(m.silenceSeconds).toBe(30 - 9 - 8 - 0.5);
    expect(m.timeline.gaps).toEqual(gaps);
  });

  it('a live computation clips speech and gaps to the stream position so far', () => {
    const m = computeCallMetrics({
      segments: [said('customer', 0, 10)],
      gaps: [{ kind: 'paused', start: 4, duration: 100 }],
      durationSeconds: 6,
      status: 'live',
    });
    expect(m.status).toBe('live');
    expect(m.talkSeconds.customer).toBe(6);
    expect(m.pausedSeconds).toBe(2);
  });

  it('segments without word timings count their whole span; partials are ignored', () => {
    const whole = { ...said('agent', 3, 0), duration: 4, text: 'one two three four', words: [] };
    const partial = { ...said('customer', 0, 5), isFinal: false };
    const m = metrics([whole, partial], 10);
    expect(m.talkSeconds).toEqual({ customer: 0, agent: 4 });
    expect(m.wordsPerMinute.agent).toBe(60);
    expect(m.timeToFirstAgentWordSeconds).toBe(3);
  });

  it('several interruptions each way are counted per role', () => {
    // customer 0–5, agent 4–9 (agent interrupts, 1 s overlap), customer 8–12 (customer interrupts back)
    const m = metrics([said('customer', 0, 5), said('agent', 4, 5), said('customer', 8, 4)], 12);
    expect(m.interruptions).toEqual({ customer: 1, agent: 1 });
    expect(m.overtalkSeconds).toBe(2);
  });
});
