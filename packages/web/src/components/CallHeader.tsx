import type { ConversationSummary } from '../api/types.js';
import { maskAni } from '../lib/mask-ani.js';
import { callDuration, formatDateTime } from '../lib/time-format.js';
import { TranscriptStatus } from './TranscriptStatus.js';

/** Who, where, when of one call. */
export function CallHeader({ call, now }: { call: ConversationSummary; now: number }) {
  return (
    <dl className="call-header">
      <div>
        <dt>Caller</dt>
        <dd className="mono">{maskAni(call.ani)}</dd>
      </div>
      <div>
        <dt>Queue / DNIS</dt>
        <dd className="mono">{call.dnis.replace(/^tel:/, '') || '—'}</dd>
      </div>
      <div>
        <dt>Language</dt>
        <dd>{call.language ?? '—'}</dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>{formatDateTime(call.startedAt)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd className="mono">{callDuration(call.startedAt, call.endedAt, now)}</dd>
      </div>
      <div>
        <dt>State</dt>
        <dd>
          <span className={`state state-${call.state}`}>{call.state}</span>
        </dd>
      </div>
      <div>
        <dt>Transcript</dt>
        <dd>
          <TranscriptStatus call={call} />
        </dd>
      </div>
    </dl>
  );
}
