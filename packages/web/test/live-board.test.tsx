// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/api-client.js';
import { LiveBoard } from '../src/components/LiveBoard.js';
import { call, event, FakeEventSource, fakeFetch } from './support/fake-api.js';

describe('live board', () => {
  beforeEach(() => FakeEventSource.install());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  const setup = async (active = [call('a1')]) => {
    const { fetchImpl, requests } = fakeFetch((url) =>
      url.pathname === '/api/conversations' ? { body: { items: active, nextCursor: null } } : undefined,
    );
    const onOpen = vi.fn();
    await act(async () => {
      render(<LiveBoard api={new ApiClient('good-token', undefined, fetchImpl)} onOpen={onOpen} />);
    });
    return { onOpen, requests, live: () => FakeEventSource.open('/api/live')[0]! };
  };

  it('lists active calls with masked ANI, DNIS and language; asks only for active calls', async () => {
    const { requests } = await setup();
    const row = screen.getByRole('row', { name: /Open call from/ });
    expect(within(row).getByText('+1••••••1234')).toBeTruthy();
    expect(row.textContent).not.toContain('4155551234');
    expect(row.textContent).toContain('+18005550199');
    expect(row.textContent).toContain('en-US');
    expect(requests[0]!.searchParams.get('state')).toBe('active');
  });

  it('new calls appear and ended calls leave without reload', async () => {
    const { live } = await setup([]);
    expect(screen.getByText(/No active calls/)).toBeTruthy();
    act(() => live().emit(event('session_started', 'b2', call('b2', { ani: 'tel:+447700900123' }))));
    expect(screen.getByText('+4•••••••0123')).toBeTruthy();
    act(() => live().emit(event('session_ended', 'b2', call('b2', { state: 'ended' }))));
    expect(screen.queryByText('+4•••••••0123')).toBeNull();
    expect(screen.getByText(/No active calls/)).toBeTruthy();
  });

  it('durations tick', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-11-24T10:01:05Z'));
    await setup([call('a1', { startedAt: '2026-11-24T10:00:00Z' })]);
    expect(screen.getByText('1:05')).toBeTruthy();
    act(() => vi.advanceTimersByTime(3000));
    expect(screen.getByText('1:08')).toBeTruthy();
  });

  it('shows live sentiment from assist updates, preferring the customer', async () => {
    const { live } = await setup();
    const sentiment = (role: 'customer' | 'agent', label: 'negative' | 'positive') => ({
      mode: 'local' as const,
      sentiment: { segmentId: 's', role, score: label === 'negative' ? -0.6 : 0.7, label, trend: -0.2 },
    });
    act(() => live().emit(event('assist_update', 'a1', sentiment('customer', 'negative'))));
    expect(screen.getByText(/negative/)).toBeTruthy();
    act(() => live().emit(event('assist_update', 'a1', sentiment('agent', 'positive'))));
    expect(screen.getByText(/negative/)).toBeTruthy();
    expect(screen.queryByText(/positive/)).toBeNull();
  });

  it('rows open with click, Enter and Space', async () => {
    const { onOpen } = await setup();
    const row = screen.getByRole('row', { name: /Open call from/ });
    expect(row.tabIndex).toBe(0);
    fireEvent.click(row);
    fireEvent.keyDown(row, { key: 'Enter' });
    fireEvent.keyDown(row, { key: ' ' });
    fireEvent.keyDown(row, { key: 'a' });
    expect(onOpen.mock.calls).toEqual([['a1'], ['a1'], ['a1']]);
  });

  it('duplicate events (at-least-once delivery) are applied once', async () => {
    const { live } = await setup([]);
    const started = event('session_started', 'c3', call('c3'));
    act(() => live().emit(started));
    act(() => live().emit(event('session_ended', 'c3', call('c3', { state: 'ended' }))));
    act(() => live().emit(started)); // redelivered after the end
    expect(screen.queryByRole('row', { name: /Open call from/ })).toBeNull();
  });
});
