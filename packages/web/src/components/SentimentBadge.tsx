import type { AssistResult } from '../api/types.js';

type Sentiment = NonNullable<AssistResult['sentiment']>;

export function SentimentBadge({ sentiment }: { sentiment: Sentiment | null | undefined }) {
  if (!sentiment) return <span className="muted">—</span>;
  const arrow = sentiment.trend > 0.05 ? '↗' : sentiment.trend < -0.05 ? '↘' : '→';
  return (
    <span
      className={`sentiment sentiment-${sentiment.label}`}
      title={`${sentiment.role} sentiment ${sentiment.score.toFixed(2)}, trend ${sentiment.trend.toFixed(2)}`}
    >
      {sentiment.label} {arrow}
    </span>
  );
}
