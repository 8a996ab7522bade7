import type { AssistView } from '../lib/assist-model.js';
import { hasAssist } from '../lib/assist-model.js';
import { SentimentBadge } from './SentimentBadge.js';

/** Agent assist for one call: summary, live sentiment, knowledge suggestions, alerts, final summary. */
export function AssistPanel({ assist }: { assist: AssistView }) {
  if (!hasAssist(assist)) {
    return (
      <aside className="assist" aria-label="Agent assist">
        <h3>Assist</h3>
        <p className="empty">No assist results yet.</p>
      </aside>
    );
  }
  return (
    <aside className="assist" aria-label="Agent assist">
      <h3>Assist {assist.mode && <span className="muted small">({assist.mode})</span>}</h3>
      {assist.alerts.length > 0 && (
        <section>
          <h4>Alerts</h4>
          <ul className="alerts">
            {assist.alerts.map((alert) => (
              <li key={alert.id} className={`alert alert-${alert.severity}`}>
                <strong>{alert.severity}</strong> {alert.text}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h4>Sentiment</h4>
        <SentimentBadge sentiment={assist.sentiment} />
      </section>
      {assist.finalSummary && (
        <section>
          <h4>Call summary</h4>
          <p>{assist.finalSummary.text}</p>
          {assist.finalSummary.nextSteps.length > 0 && (
            <ul>
              {assist.finalSummary.nextSteps.map((step, i) => (
                <li key={i}>{step}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      {assist.summary && !assist.finalSummary && (
        <section>
          <h4>Summary</h4>
          <p>{assist.summary.text}</p>
          <dl className="facts">
            <dt>Issue</dt>
            <dd>{assist.summary.issue || '—'}</dd>
            <dt>Need</dt>
            <dd>{assist.summary.customerNeed || '—'}</dd>
          </dl>
        </section>
      )}
      {assist.suggestions.length > 0 && (
        <section>
          <h4>Suggestions</h4>
          <ul className="suggestions">
            {assist.suggestions.map((s) => (
              <li key={s.id}>
                <strong>{s.title}</strong>
                <p>{s.excerpt}</p>
                <span className="muted small">{s.source}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}
