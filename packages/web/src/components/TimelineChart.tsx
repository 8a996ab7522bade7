import { AxisBottom } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleLinear } from '@visx/scale';
import { Bar, Line, LinePath } from '@visx/shape';
import type { KeyboardEvent, MouseEvent } from 'react';
import type { CallMetrics } from '../api/types.js';
import type { CallShapeMarks } from '../lib/call-shape.js';
import { formatClock } from '../lib/time-format.js';
import { useWidth } from '../lib/use-width.js';

export interface TimelineChartProps {
  metrics: CallMetrics;
  marks: CallShapeMarks;
  /** playback position (seconds on the stream timeline); null = no player (live view) */
  position?: number | null;
  /** clicking the chart, or arrow keys on it, seek the recording */
  onSeek?: (seconds: number) => void;
}

const MARGIN = { left: 74, right: 12 };
const ROWS = {
  alerts: { y: 2, height: 12 },
  customer: { y: 18, height: 18 },
  agent: { y: 40, height: 18 },
  sentiment: { y: 66, height: 46 },
  axis: 116,
};
const HEIGHT = 140;
const KEY_STEP_SECONDS = 5;

/**
 * The call's shape on one time axis: speech bars per role, overtalk marked across both lanes, paused/discarded spans
 * hatched, the customer's sentiment as a line, alert markers on top, and the playback position. Clicking seeks; with
 * focus, ←/→ seek 5 s (it is a slider for assistive technology, with the figures summarised in its label).
 */
export function TimelineChart({ metrics, marks, position = null, onSeek }: TimelineChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const duration = Math.max(1, metrics.durationSeconds);
  const x = scaleLinear<number>({ domain: [0, duration], range: [MARGIN.left, width - MARGIN.right] });
  const sentimentY = scaleLinear<number>({
    domain: [-1, 1],
    range: [ROWS.sentiment.y + ROWS.sentiment.height, ROWS.sentiment.y],
  });
  const spanWidth = (start: number, end: number) => Math.max(1, x(end) - x(start));

  const seekTo = (seconds: number) => onSeek?.(Math.min(duration, Math.max(0, seconds)));
  const onClick = (event: MouseEvent<SVGSVGElement>) => {
    if (!onSeek) return;
    const box = event.currentTarget.getBoundingClientRect();
    seekTo(x.invert(event.clientX - box.left));
  };
  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    if (!onSeek) return;
    const at = position ?? 0;
    const target =
      event.key === 'ArrowRight'
        ? at + KEY_STEP_SECONDS
        : event.key === 'ArrowLeft'
          ? at - KEY_STEP_SECONDS
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? duration
              : null;
    if (target === null) return;
    event.preventDefault();
    seekTo(target);
  };

  const summary =
    `Call timeline, ${formatClock(duration)}: customer talks ${formatClock(metrics.talkSeconds.customer)}, ` +
    `agent ${formatClock(metrics.talkSeconds.agent)}, overtalk ${metrics.overtalkSeconds.toFixed(1)} s, ` +
    `${metrics.timeline.gaps.length} paused or discarded span(s), ${marks.alerts.length} alert(s).`;
  const interactive = onSeek
    ? {
        role: 'slider',
        tabIndex: 0,
        'aria-label': summary,
        'aria-valuemin': 0,
        'aria-valuemax': Math.round(duration),
        'aria-valuenow': Math.round(position ?? 0),
        'aria-valuetext': `${formatClock(position ?? 0)} of ${formatClock(duration)}`,
        onClick,
        onKeyDown,
      }
    : { role: 'img', 'aria-label': summary };
  const lane = (role: 'customer' | 'agent') =>
    metrics.timeline[role].map(([start, end]) => (
      <Bar
        key={`${role}-${start}`}
        className={`speech speech-${role}`}
        x={x(start)}
        y={ROWS[role].y}
        width={spanWidth(start, end)}
        height={ROWS[role].height}
        rx={2}
      >
        <title>{`${role} ${formatClock(start)}–${formatClock(end)}`}</title>
      </Bar>
    ));

  return (
    <figure className="timeline-chart" ref={ref}>
      <svg
        width={width}
        height={HEIGHT}
        className={onSeek ? 'seekable' : undefined}
        data-duration={duration}
        {...interactive}
      >
        <defs>
          <pattern
            id="gap-hatch"
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <rect width="6" height="6" className="gap-fill" />
            <line x1="0" y1="0" x2="0" y2="6" className="gap-line" strokeWidth="3" />
          </pattern>
        </defs>
        <text x={4} y={ROWS.customer.y + 13} className="lane-label">
          Customer
        </text>
        <text x={4} y={ROWS.agent.y + 13} className="lane-label">
          Agent
        </text>
        <text x={4} y={ROWS.sentiment.y + ROWS.sentiment.height / 2 + 4} className="lane-label">
          Sentiment
        </text>
        <Line
          from={{ x: MARGIN.left, y: sentimentY(0) }}
          to={{ x: width - MARGIN.right, y: sentimentY(0) }}
          className="sentiment-zero"
        />
        {metrics.timeline.gaps.map((gap) => (
          <Bar
            key={`gap-${gap.start}`}
            className={`gap gap-${gap.kind}`}
            x={x(gap.start)}
            y={ROWS.customer.y - 2}
            width={spanWidth(gap.start, gap.start + gap.duration)}
            height={ROWS.axis - ROWS.customer.y + 2}
            fill="url(#gap-hatch)"
          >
            <title>{`${gap.kind === 'paused' ? 'paused (hold)' : 'discarded'} ${formatClock(gap.start)}, ${gap.duration.toFixed(1)} s`}</title>
          </Bar>
        ))}
        {lane('customer')}
        {lane('agent')}
        {metrics.timeline.overtalk.map(([start, end]) => (
          <Bar
            key={`overtalk-${start}`}
            className="overtalk"
            x={x(start)}
            y={ROWS.customer.y}
            width={spanWidth(start, end)}
            height={ROWS.agent.y + ROWS.agent.height - ROWS.customer.y}
          >
            <title>{`overtalk ${formatClock(start)}, ${(end - start).toFixed(1)} s`}</title>
          </Bar>
        ))}
        {marks.sentiment.length > 0 && (
          <LinePath
            className="sentiment-line"
            data={marks.sentiment}
            x={(point) => x(point.at)}
            y={(point) => sentimentY(point.score)}
          />
        )}
        {marks.sentiment.map((point) => (
          <circle
            key={`s-${point.at}`}
            className={`sentiment-point sentiment-${point.label}`}
            cx={x(point.at)}
            cy={sentimentY(point.score)}
            r={3}
          >
            <title>{`${point.label} (${point.score.toFixed(2)}) at ${formatClock(point.at)}`}</title>
          </circle>
        ))}
        {marks.alerts.map((alert) => (
          <Group
            key={alert.id}
            left={x(alert.at)}
            top={ROWS.alerts.y}
            className={`alert-mark alert-${alert.severity}`}
          >
            <path d="M -6 0 L 6 0 L 0 11 Z" />
            <title>{`${alert.severity}: ${alert.text} (${formatClock(alert.at)})`}</title>
          </Group>
        ))}
        {position !== null && (
          <Line
            className="playhead"
            from={{ x: x(Math.min(position, duration)), y: 0 }}
            to={{ x: x(Math.min(position, duration)), y: ROWS.axis }}
            data-position={position.toFixed(2)}
          />
        )}
        <AxisBottom
          top={ROWS.axis}
          scale={x}
          numTicks={Math.max(2, Math.floor(width / 110))}
          tickFormat={(value) => formatClock(Number(value))}
          axisClassName="timeline-axis"
        />
      </svg>
      <figcaption className="legend small">
        <span className="key key-customer">Customer speech</span>
        <span className="key key-agent">Agent speech</span>
        <span className="key key-overtalk">Overtalk</span>
        <span className="key key-gap">Paused / hold</span>
        <span className="key key-sentiment">Customer sentiment</span>
        <span className="key key-alert">Alert</span>
        {onSeek && <span className="muted">Click or use ←/→ to seek</span>}
      </figcaption>
    </figure>
  );
}
