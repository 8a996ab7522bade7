// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/api-client.js';
import { AuditLog } from '../src/components/AuditLog.js';
import { fakeFetch } from './support/fake-api.js';

const entry = (n: number, conversationId: string | null = `conv-${n}`) => ({
  id: `e${n}`,
  at: `2026-11-30T09:00:0${n}.000Z`,
  subject: n % 2 ? 'sam' : 'vera',
  role: n % 2 ? 'supervisor' : 'viewer',
  authMethod: 'session',
  action: n % 2 ? 'play' : 'read',
  conversationId,
  address: '203.0.113.7',
  route: 'GET /api/conversations/:id',
});

describe('audit page', () => {
  afterEach(cleanup);

  it('lists entries, sends the filters, pages back with the cursor and opens a conversation', async () => {
    const { fetchImpl, requests } = fakeFetch((url) => {
      if (url.pathname !== '/api/audit') return undefined;
      return url.searchParams.get('cursor') === 'page-2'
        ? { body: { items: [entry(3, null)], nextCursor: null } }
        : { body: { items: [entry(1), entry(2)], nextCursor: 'page-2' } };
    });
    const onOpen = vi.fn();
    await act(async () => {
      render(
        <AuditLog api={new ApiClient('good-token', undefined, fetchImpl)} onOpenConversation={onOpen} />,
      );
    });
    expect(await screen.findByText('conv-1')).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(3); // header + 2

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Older entries' }));
    });
    expect(screen.getAllByRole('row')).toHaveLength(4);
    expect(screen.queryByRole('button', { name: 'Older entries' })).toBeNull();

    fireEvent.change(screen.getByLabelText('Who'), { target: { value: 'sam' } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'play' } });
    fireEvent.change(screen.getByLabelText('Conversation'), { target: { value: ' conv-1 ' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    });
    const last = requests[requests.length - 1]!;
    expect(Object.fromEntries(last.searchParams)).toEqual({
      subject: 'sam',
      action: 'play',
      conversationId: 'conv-1',
      limit: '50',
    });

    fireEvent.click(screen.getAllByRole('button', { name: 'conv-1' })[0]!);
    expect(onOpen).toHaveBeenCalledWith('conv-1');
  });
});
