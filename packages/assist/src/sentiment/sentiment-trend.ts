/**
 * Call sentiment trend: least-squares slope of the last few turn scores (score units per turn). Positive = the call
 * is getting better. Uses the customer's turns when there are any — their mood is what the agent needs to watch.
 */
import type { Role } from '@hookscribe/conversations';

export const TREND_WINDOW = 6;

export interface ScoredTurn {
  role: Role;
  score: number;
}

export function sentimentTrend(turns: readonly ScoredTurn[], window = TREND_WINDOW): number {
  const customer = turns.filter((t) => t.role === 'customer');
  const series = (customer.length > 0 ? customer : turns).slice(-window).map((t) => t.score);
  const n = series.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = series.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  series.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return Math.round((num / den) * 1000) / 1000;
}
