// @vitest-environment jsdom
/** The call-shape chart, scorecard, dashboard and embedded view against a fake API (jsdom). */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { computeCallMetrics } from '../../conversations/src/analytics/call-metrics.js';
import { ApiClient } from '../src/api/api-client.js';
import type { CallDashboard, CallMetrics } from '../src/api/types.js';
import { ConversationView } from '../src/components/ConversationView.js';
import { Dashboard } from '../src/components/Dashboard.js';
import { EmbedView, sessionToFollow } from '../src/components/EmbedView.js';
import { Scorecard } from '../src/components/Scorecard.js';
import { TimelineChart } from '../src/components/TimelineChart.js';
import { callShapeMarks } from '../src/lib/call-shape.js';
import { takeTokenFromFragment } from '../src/lib/embed-token.js';
import { clearToken, readToken, saveToken } from '../src/lib/token-storage.js';
import { recordingTimeOf, streamTimeOf } from '../src/lib/recording-timeline.js';
import { parseRoute, routePath } from '../src/lib/use-route.js';
import { call, event, FakeEventSource, fakeFetch, segment } from './support/fake-api.js';

const customer = segment('s1', 'customer', 'my bill is wrong again', 1, true);
const agent = segment('s2', 'agent', 'sorry about that', 2, true);

function metrics(): CallMetrics {
  return computeCallMetrics({
    segments: [customer, agent],
    gaps: [{ kind: 'paused', start: 5, duration: 3 }],
    durationSeconds: 10,
    status: 'final',
  });
}

afterEach(cleanup);

describe('call shape marks', () => {
  it('puts customer sentiment at the end of its utterance and each alert once at the utterance that raised it', () => {
    const alert = {
      id: 'a1',
      rule: 'escalation',
      severity: 'warning' as const,
      text: 'manager',
      segmentId: 's2',
    };
    const marks = callShapeMarks(
      [customer, agent],
      [
        {
          mode: 'local',
          sentiment: { segmentId: 's1', role: 'customer', score: -0.5, label: 'negative', trend: 0 },
        },
        {
          mode: 'local',
          alerts: [alert],
          sentiment: { segmentId: 's2', role: 'agent', score: 1, label: 'positive', trend: 0 },
        },
        { mode: 'local', alerts: [alert] },
      ],
    );
    expect(marks.sentiment).toEqual([
      { at: customer.offset + customer.duration, score: -0.5, label: 'negative' },
    ]);
    expect(marks.alerts).toEqual([
      { id: 'a1', at: 2, rule: 'escalation', severity: 'warning', text: 'manager' },
    ]);
  });
});

describe('timeline chart', () => {
  const marks = { sentiment: [{ at: 2, score: -0.5, label: 'negative' as const }], alerts: [] };

  it('draws speech per role, overtalk, the paused span and the playhead', () => {
    const { container } = render(
      <TimelineChart metrics={metrics()} marks={marks} position={4} onSeek={() => {}} />,
    );
    expect(container.querySelectorAll('.speech-customer').length).toBe(1);
    expect(container.querySelectorAll('.speech-agent').length).toBe(1);
    expect(container.querySelectorAll('.overtalk').length).toBe(1); // customer 1–2.95, agent 2–3.15
    expect(container.querySelector('.gap-paused title')?.textContent).toMatch(/paused \(hold\) 0:05, 3.0 s/);
    expect(container.querySelector('.playhead')?.getAttribute('data-position')).toBe('4.00');
    expect(container.querySelectorAll('.sentiment-point').length).toBe(1);
  });

  it('clicking seeks to the time under the pointer; arrow keys seek 5 s; it is a labelled slider', () => {
    const onSeek = vi.fn();
    render(<TimelineChart metrics={metrics()} marks={marks} position={4} onSeek={onSeek} />);
    const slider = screen.getByRole('slider');
    expect(slider.getAttribute('aria-label')).toMatch(/^Call timeline, 0:10: customer talks/);
    expect(slider.getAttribute('aria-valuetext')).toBe('0:04 of 0:10');
    // jsdom lays nothing out: the chart is 800 px wide from x = 0, the time axis spans 74…788
    fireEvent.click(slider, { clientX: 74 + (788 - 74) / 2 });
    expect(onSeek).toHaveBeenLastCalledWith(5);
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(onSeek).toHaveBeenLastCalledWith(9);
    fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    expect(onSeek).toHaveBeenLastCalledWith(0); // 4 − 5, clamped
  });

  it('without a player it is an image, not a control', () => {
    render(<TimelineChart metrics={metrics()} marks={marks} />);
    expect(screen.queryByRole('slider')).toBeNull();
    expect(screen.getByRole('img', { name: /Call timeline/ })).toBeTruthy();
  });
});

describe('scorecard', () => {
  it('shows each metric in words people use', () => {
    const { container } = render(<Scorecard metrics={metrics()} />);
    const value = (name: string) => container.querySelector(`[data-metric="${name}"]`)?.textContent;
    expect(value('Duration')).toBe('0:10');
    expect(value('Paused / hold')).toBe('0:03');
    // the agent starts at 2 s while the customer speaks until 2.95 s: 0.95 s of overlap is an interruption
    expect(value('Interruptions')).toBe('1 by agent · 0 by customer');
    expect(value('First agent word')).toBe('0:02');
    expect(screen.getByRole('img', { name: /Talk share: agent \d+ %/ })).toBeTruthy();
  });
});

describe('dashboard', () => {
  const dashboard: CallDashboard = {
    calls: 12,
    callsPerHour: [
      { hour: '2026-11-20T09:00:00.000Z', calls: 5 },
      { hour: '2026-11-20T10:00:00.000Z', calls: 7 },
    ],
    averageHandleSeconds: 245,
    agentTalkShare: 0.42,
    sentiment: { negative: 3, neutral: 4, positive: 4, unscored: 1 },
    topAlerts: [{ rule: 'escalation', count: 3 }],
    topIntents: [{ intent: 'billing', count: 6 }],
  };

  it('shows the figures, applies filters to the query and downloads the CSV with the same filter', async () => {
    const { fetchImpl, requests } = fakeFetch((url) =>
      url.pathname === '/api/analytics/dashboard'
        ? { body: dashboard }
        : url.pathname === '/api/analytics/calls.csv'
          ? { body: 'id\n' }
          : undefined,
    );
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => undefined;
    const { container } = render(<Dashboard api={new ApiClient('good-token', undefined, fetchImpl)} />);
    await screen.findByText('12', {}, { timeout: 5000 });
    expect(container.querySelector('[data-tile="aht"]')?.textContent).toBe('4:05');
    expect(container.querySelector('[data-tile="talk-ratio"]')?.textContent).toBe('42 : 58');
    expect(screen.getByRole('img', { name: /Top alerts: escalation 3/ })).toBeTruthy();
    expect(screen.getByRole('img', { name: /Top intents \(calls\): billing 6/ })).toBeTruthy();
    expect(container.querySelectorAll('.calls-bar').length).toBe(2);
    expect(requests[0]!.searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT/); // last 7 days by default

    fireEvent.change(screen.getByLabelText('Queue (DNIS)'), { target: { value: 'tel:+18005550100' } });
    fireEvent.change(screen.getByLabelText('Endpoint'), { target: { value: 'monitor' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Apply' })));
    const last = requests[requests.length - 1]!;
    expect(last.searchParams.get('dnis')).toBe('tel:+18005550100');
    expect(last.searchParams.get('endpoint')).toBe('monitor');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Download calls CSV' })));
    const csv = requests[requests.length - 1]!;
    expect(csv.pathname).toBe('/api/analytics/calls.csv');
    expect(csv.searchParams.get('endpoint')).toBe('monitor');
  });
});

describe('embedded view', () => {
  beforeEach(() => FakeEventSource.install());

  it('finds the session of the Genesys conversation and follows it live', async () => {
    const session = call('c9', { conversationId: 'gc-42' });
    const { fetchImpl } = fakeFetch((url) =>
      url.pathname === '/api/conversations/by-genesys-id/gc-42'
        ? { body: { items: [session] } }
        : url.pathname === '/api/conversations/c9'
          ? { body: { ...session, transcript: [], assist: [] } }
          : undefined,
    );
    const { container } = render(
      <EmbedView api={new ApiClient('good-token', undefined, fetchImpl)} gcConversationId="gc-42" />,
    );
    await screen.findByRole('heading', { name: /^Call/ }, { timeout: 5000 });
    // the live stream opens in an effect after the heading renders
    await waitFor(() => expect(FakeEventSource.open('/api/conversations/c9/live')).toHaveLength(1));
    act(() =>
      FakeEventSource.open('/api/conversations/c9/live')[0]!.emit(
        event('transcript_available', 'c9', segment('s1', 'customer', 'hello there', 1, true)),
      ),
    );
    expect(container.querySelector('.turn.lane-customer')?.textContent).toContain('hello there');
    expect(screen.queryByText('← Live calls')).toBeNull(); // no navigation inside Genesys
  });

  it('follows the newest active session, else the newest', () => {
    const old = call('a', { state: 'ended' });
    const active = call('b');
    expect(sessionToFollow([old, active])?.id).toBe('b');
    expect(sessionToFollow([old])?.id).toBe('a');
    expect(sessionToFollow([])).toBeNull();
  });
});

describe('live conversation view', () => {
  beforeEach(() => FakeEventSource.install());

  it('draws the call shape from live call_metrics events', async () => {
    const session = call('c5');
    const { fetchImpl } = fakeFetch((url) =>
      url.pathname === '/api/conversations/c5'
        ? { body: { ...session, transcript: [], assist: [] } }
        : undefined,
    );
    const { container } = render(
      <ConversationView
        api={new ApiClient('good-token', undefined, fetchImpl)}
        id="c5"
        onBack={() => undefined}
        onOpenHistory={() => undefined}
      />,
    );
    await screen.findByText(/Call metrics follow the first final transcript/, {}, { timeout: 5000 });
    act(() =>
      FakeEventSource.open('/api/conversations/c5/live')[0]!.emit(
        event('call_metrics', 'c5', { ...metrics(), status: 'live' }),
      ),
    );
    expect(screen.getByRole('region', { name: 'Call metrics' }).textContent).toMatch(/Call metrics \(live\)/);
    expect(container.querySelectorAll('.timeline-chart .speech').length).toBe(2);
  });
});

describe('routes and the embed token', () => {
  it('parses the embed and dashboard paths', () => {
    expect(parseRoute('/embed/conversations/by-genesys-id/abc-123', '')).toEqual({
      name: 'embed',
      gcConversationId: 'abc-123',
    });
    expect(parseRoute('/dashboard', '')).toEqual({ name: 'dashboard' });
    expect(routePath({ name: 'embed', gcConversationId: 'a b' })).toBe(
      '/embed/conversations/by-genesys-id/a%20b',
    );
  });

  it('takes the token from the fragment and removes it from the address', () => {
    window.history.replaceState(
      null,
      '',
      '/embed/conversations/by-genesys-id/x?gcHostOrigin=y#token=s3cret&theme=dark',
    );
    expect(takeTokenFromFragment(window.location, window.history)).toBe('s3cret');
    expect(window.location.hash).toBe('#theme=dark');
    expect(window.location.search).toBe('?gcHostOrigin=y');
    expect(takeTokenFromFragment(window.location, window.history)).toBeNull();
  });
});

describe('recording time and stream time', () => {
  const gaps = [
    { kind: 'paused' as const, start: 10, duration: 8 },
    { kind: 'discarded' as const, start: 25, duration: 0.5 },
  ];
  it('playback runs behind the stream after each gap, and maps back', () => {
    expect(streamTimeOf(5, gaps)).toBe(5);
    expect(streamTimeOf(10, gaps)).toBe(18); // the audio after the pause
    expect(streamTimeOf(12, gaps)).toBe(20);
    expect(streamTimeOf(17.5, gaps)).toBe(26);
    expect(recordingTimeOf(20, gaps)).toBe(12);
    expect(recordingTimeOf(14, gaps)).toBe(10); // inside the pause: where the audio resumes
    expect(recordingTimeOf(26, gaps)).toBe(17.5);
    expect(recordingTimeOf(streamTimeOf(3.3, gaps), gaps)).toBeCloseTo(3.3, 9);
  });
});

describe('token storage', () => {
  it('keeps the token in memory when the frame is denied sessionStorage (third-party iframe)', () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'sessionStorage')!;
    Object.defineProperty(window, 'sessionStorage', {
      configurable: true,
      get: () => {
        throw new DOMException('Access is denied for this document.', 'SecurityError');
      },
    });
    try {
      saveToken('k', 'memory-token');
      expect(readToken('k')).toBe('memory-token');
      clearToken('k');
      expect(readToken('k')).toBeNull();
    } finally {
      Object.defineProperty(window, 'sessionStorage', descriptor);
    }
  });
});
