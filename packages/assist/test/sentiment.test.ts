import { describe, expect, it } from 'vitest';
import { scoreTurn } from '../src/sentiment/sentiment-scorer.js';
import { sentimentTrend } from '../src/sentiment/sentiment-trend.js';

describe('scoreTurn', () => {
  it('labels clearly positive and negative turns', () => {
    expect(scoreTurn('That is perfect, thank you so much, great help').label).toBe('positive');
    expect(scoreTurn('This is terrible, I am really angry and frustrated').label).toBe('negative');
  });

  it('is neutral for plain requests and call-centre fillers ("I\'d like", "no, that\'s all")', () => {
    expect(scoreTurn("I'd like to change my address please").label).toBe('neutral');
    expect(scoreTurn("No, that's all. Bye.").label).toBe('neutral');
    expect(scoreTurn('').score).toBe(0);
  });

  it('flips sentiment under negation within three words', () => {
    expect(scoreTurn('I am happy').score).toBeGreaterThan(0);
    expect(scoreTurn('I am not happy').score).toBeLessThan(0);
    expect(scoreTurn("I'm not very happy with this").score).toBeLessThan(0);
    expect(scoreTurn("that isn't bad at all").score).toBeGreaterThan(0);
    expect(scoreTurn('never been so happy').score).toBeLessThan(0);
  });

  it('accepts curly apostrophes like straight ones', () => {
    expect(scoreTurn('I don’t like this').score).toBe(scoreTurn("I don't like this").score);
  });

  it('keeps scores within -1 … 1', () => {
    const s = scoreTurn('awful horrible terrible worst disgusting hate hate hate');
    expect(s.score).toBeGreaterThanOrEqual(-1);
    expect(s.score).toBeLessThan(-0.9);
  });
});

describe('sentimentTrend', () => {
  it('is positive when the customer gets happier and negative when they get angrier', () => {
    const up = [-0.8, -0.4, 0, 0.5].map((score) => ({ role: 'customer' as const, score }));
    expect(sentimentTrend(up)).toBeGreaterThan(0);
    expect(sentimentTrend([...up].reverse())).toBeLessThan(0);
  });

  it('follows the customer, not the agent, when both spoke', () => {
    const turns = [
      { role: 'customer' as const, score: 0.5 },
      { role: 'agent' as const, score: -0.9 },
      { role: 'customer' as const, score: 0 },
      { role: 'agent' as const, score: 0.9 },
      { role: 'customer' as const, score: -0.5 },
    ];
    expect(sentimentTrend(turns)).toBeLessThan(0);
  });

  it('is 0 with fewer than two turns', () => {
    expect(sentimentTrend([])).toBe(0);
    expect(sentimentTrend([{ role: 'agent', score: 1 }])).toBe(0);
  });
});
