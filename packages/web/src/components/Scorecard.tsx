import type { CallMetrics } from '../api/types.js';
import { formatClock } from '../lib/time-format.js';

const seconds = (value: number) => `${value.toFixed(1)} s`;
const clock = (value: number | null) => (value === null ? '–' : formatClock(value));
const pace = (value: number | null) => (value === null ? '–' : `${Math.round(value)} wpm`);

/** The call's metrics at a glance: talk share, silence, overtalk, interruptions, monologues, pauses, pace. */
export function Scorecard({ metrics }: { metrics: CallMetrics }) {
  const share = metrics.agentTalkShare;
  const items: [string, string, string?][] = [
    ['Duration', clock(metrics.durationSeconds)],
    ['Customer talk', clock(metrics.talkSeconds.customer)],
    ['Agent talk', clock(metrics.talkSeconds.agent)],
    ['Agent share', share === null ? '–' : `${Math.round(share * 100)} %`],
    ['Silence', clock(metrics.silenceSeconds)],
    ['Overtalk', seconds(metrics.overtalkSeconds)],
    [
      'Interruptions',
      `${metrics.interruptions.agent} by agent · ${metrics.interruptions.customer} by customer`,
      'started speaking over the other for at least 0.5 s',
    ],
    [
      'Longest monologue',
      `agent ${clock(metrics.longestMonologueSeconds.agent)} · customer ${clock(metrics.longestMonologueSeconds.customer)}`,
    ],
    ['Paused / hold', clock(metrics.pausedSeconds)],
    ['Discarded', seconds(metrics.discardedSeconds)],
    [
      'Pace',
      `agent ${pace(metrics.wordsPerMinute.agent)} · customer ${pace(metrics.wordsPerMinute.customer)}`,
    ],
    ['First agent word', clock(metrics.timeToFirstAgentWordSeconds)],
  ];
  return (
    <section className="scorecard" aria-label="Call metrics">
      <h4>
        Call metrics <span className="muted small">({metrics.status === 'live' ? 'live' : 'final'})</span>
      </h4>
      {share !== null && (
        <div
          className="talk-share"
          role="img"
          aria-label={`Talk share: agent ${Math.round(share * 100)} %, customer ${Math.round((1 - share) * 100)} %`}
        >
          <span className="share-agent" style={{ width: `${share * 100}%` }} />
          <span className="share-customer" style={{ width: `${(1 - share) * 100}%` }} />
        </div>
      )}
      <dl>
        {items.map(([name, value, hint]) => (
          <div key={name} title={hint}>
            <dt>{name}</dt>
            <dd className="mono" data-metric={name}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
