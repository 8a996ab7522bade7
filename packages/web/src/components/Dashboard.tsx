import { AxisBottom, AxisLeft } from '@visx/axis';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar } from '@visx/shape';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { AnalyticsFilter, CallDashboard } from '../api/types.js';
import { saveDownload } from '../lib/save-download.js';
import { formatClock } from '../lib/time-format.js';
import { useWidth } from '../lib/use-width.js';

const DAY_MS = 86_400_000;

/** `datetime-local` value (local time, minutes) ↔ ISO-8601 */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

interface FilterForm {
  from: string;
  to: string;
  dnis: string;
  endpoint: '' | 'monitor' | 'transcription';
}

function filterOf(form: FilterForm): AnalyticsFilter {
  return {
    ...(form.from ? { from: isoOf(form.from) } : {}),
    ...(form.to ? { to: isoOf(form.to) } : {}),
    ...(form.dnis.trim() ? { dnis: form.dnis.trim() } : {}),
    ...(form.endpoint ? { endpoint: form.endpoint } : {}),
  };
}

/** Calls per hour as columns; the hidden table beside it carries the same figures for screen readers. */
function CallsPerHour({ data }: { data: CallDashboard['callsPerHour'] }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const height = 180;
  const margin = { top: 8, right: 8, bottom: 28, left: 36 };
  const label = (hour: string) =>
    new Date(hour).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit' });
  const x = scaleBand<string>({
    domain: data.map((d) => d.hour),
    range: [margin.left, width - margin.right],
    padding: 0.2,
  });
  const max = Math.max(1, ...data.map((d) => d.calls));
  const y = scaleLinear<number>({
    domain: [0, max],
    range: [height - margin.bottom, margin.top],
    nice: true,
  });
  const every = Math.max(1, Math.ceil(data.length / Math.max(1, Math.floor(width / 90))));
  return (
    <figure className="chart" ref={ref}>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={`Calls per hour, ${data.length} hours with calls, at most ${max} in one hour`}
      >
        {data.map((d) => (
          <Bar
            key={d.hour}
            className="bar calls-bar"
            x={x(d.hour) ?? 0}
            y={y(d.calls)}
            width={x.bandwidth()}
            height={height - margin.bottom - y(d.calls)}
          >
            <title>{`${label(d.hour)}: ${d.calls} call(s)`}</title>
          </Bar>
        ))}
        <AxisLeft left={margin.left} scale={y} numTicks={4} tickFormat={(v) => String(v)} />
        <AxisBottom
          top={height - margin.bottom}
          scale={x}
          tickValues={data.filter((_, i) => i % every === 0).map((d) => d.hour)}
          tickFormat={(hour) => label(String(hour))}
        />
      </svg>
      <table className="visually-hidden">
        <caption>Calls per hour</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.hour}>
              <th scope="row">{label(d.hour)}</th>
              <td>{d.calls}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** Labelled horizontal bars (sentiment, top alerts, top intents). */
function BarList({
  title,
  rows,
  empty,
}: {
  title: string;
  rows: { label: string; value: number; className?: string }[];
  empty: string;
}) {
  const [ref, width] = useWidth<HTMLDivElement>(320);
  const rowHeight = 22;
  const labelWidth = Math.min(150, Math.floor(width * 0.45));
  const max = Math.max(1, ...rows.map((r) => r.value));
  const x = scaleLinear<number>({ domain: [0, max], range: [0, Math.max(10, width - labelWidth - 40)] });
  return (
    <figure className="chart bar-list" ref={ref}>
      <h4>{title}</h4>
      {rows.length === 0 ? (
        <p className="empty small">{empty}</p>
      ) : (
        <svg
          width={width}
          height={rows.length * rowHeight}
          role="img"
          aria-label={`${title}: ${rows.map((r) => `${r.label} ${r.value}`).join(', ')}`}
        >
          {rows.map((row, i) => (
            <g key={row.label} transform={`translate(0, ${i * rowHeight})`}>
              <text x={labelWidth - 6} y={15} textAnchor="end" className="bar-label">
                {row.label}
              </text>
              <Bar
                className={`bar ${row.className ?? ''}`}
                x={labelWidth}
                y={4}
                width={Math.max(1, x(row.value))}
                height={rowHeight - 8}
                rx={2}
              />
              <text x={labelWidth + x(row.value) + 5} y={15} className="bar-value">
                {row.value}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}

/** Supervisor dashboard over stored calls: volume, handle time, talk share, sentiment, top alerts and intents. */
export function Dashboard({ api }: { api: ApiClient }) {
  const [form, setForm] = useState<FilterForm>(() => ({
    from: localInput(Date.now() - 7 * DAY_MS),
    to: '',
    dnis: '',
    endpoint: '',
  }));
  const [applied, setApplied] = useState<AnalyticsFilter>(() => filterOf(form));
  const [data, setData] = useState<CallDashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    (filter: AnalyticsFilter) => {
      setLoading(true);
      api.getDashboard(filter).then(
        (result) => {
          setData(result);
          setError(null);
          setLoading(false);
        },
        (err: Error) => {
          setError(err.message);
          setLoading(false);
        },
      );
    },
    [api],
  );
  useEffect(() => load(applied), [load, applied]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(filterOf(form));
  };
  const downloadCsv = () =>
    api.download(api.callsCsvPath(applied)).then(saveDownload, (err: Error) => setError(err.message));
  const set =
    <K extends keyof FilterForm>(key: K) =>
    (value: FilterForm[K]) =>
      setForm((f) => ({ ...f, [key]: value }));

  const share = data?.agentTalkShare ?? null;
  return (
    <section className="dashboard" aria-labelledby="dashboard-title">
      <header className="section-header">
        <h2 id="dashboard-title">Dashboard</h2>
        <button type="button" onClick={() => void downloadCsv()}>
          Download calls CSV
        </button>
      </header>
      <form className="filters" onSubmit={submit} aria-label="Dashboard filters">
        <label>
          From
          <input type="datetime-local" value={form.from} onChange={(e) => set('from')(e.target.value)} />
        </label>
        <label>
          To
          <input type="datetime-local" value={form.to} onChange={(e) => set('to')(e.target.value)} />
        </label>
        <label>
          Queue (DNIS)
          <input
            type="text"
            value={form.dnis}
            placeholder="tel:+18005550100"
            onChange={(e) => set('dnis')(e.target.value)}
          />
        </label>
        <label>
          Endpoint
          <select
            value={form.endpoint}
            onChange={(e) => set('endpoint')(e.target.value as FilterForm['endpoint'])}
          >
            <option value="">All</option>
            <option value="transcription">Transcription</option>
            <option value="monitor">Monitor</option>
          </select>
        </label>
        <button type="submit" className="primary">
          Apply
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <div className={`dashboard-body${loading ? ' loading' : ''}`} aria-busy={loading}>
          <div className="tiles">
            <div className="tile">
              <span className="tile-label">Calls</span>
              <span className="tile-value mono" data-tile="calls">
                {data.calls}
              </span>
            </div>
            <div className="tile">
              <span className="tile-label">Average handle time</span>
              <span className="tile-value mono" data-tile="aht">
                {data.averageHandleSeconds === null ? '–' : formatClock(data.averageHandleSeconds)}
              </span>
            </div>
            <div className="tile">
              <span className="tile-label">Talk ratio agent : customer</span>
              <span className="tile-value mono" data-tile="talk-ratio">
                {share === null ? '–' : `${Math.round(share * 100)} : ${Math.round((1 - share) * 100)}`}
              </span>
            </div>
          </div>
          <div className="panel">
            <h4>Calls per hour</h4>
            {data.callsPerHour.length === 0 ? (
              <p className="empty small">No calls in this range.</p>
            ) : (
              <CallsPerHour data={data.callsPerHour} />
            )}
          </div>
          <div className="panels">
            <div className="panel">
              <BarList
                title="Customer sentiment (calls)"
                empty="No calls."
                rows={(['positive', 'neutral', 'negative', 'unscored'] as const).map((label) => ({
                  label,
                  value: data.sentiment[label],
                  className: `sentiment-${label}`,
                }))}
              />
            </div>
            <div className="panel">
              <BarList
                title="Top alerts"
                empty="No alerts."
                rows={data.topAlerts.map((a) => ({ label: a.rule, value: a.count, className: 'alerts-bar' }))}
              />
            </div>
            <div className="panel">
              <BarList
                title="Top intents (calls)"
                empty="No intents recognised."
                rows={data.topIntents.map((i) => ({
                  label: i.intent,
                  value: i.count,
                  className: 'intents-bar',
                }))}
              />
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
