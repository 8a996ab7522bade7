import { useCallback, useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { ConversationFilter, ConversationSummary } from '../api/types.js';
import { maskAni } from '../lib/mask-ani.js';
import { callDuration, formatDateTime } from '../lib/time-format.js';
import { HistoryDetail } from './HistoryDetail.js';
import { TranscriptStatus } from './TranscriptStatus.js';

export const HISTORY_PAGE_SIZE = 25;

export interface HistoryProps {
  api: ApiClient;
  selectedId: string | null;
  /** the caller's role may play recordings (default true) */
  canPlay?: boolean;
  onSelect: (id: string | null) => void;
}

interface SearchForm {
  q: string;
  ani: string;
  from: string;
  to: string;
}

const EMPTY_FORM: SearchForm = { q: '', ani: '', from: '', to: '' };

/** `<input type="datetime-local">` value (local time) → ISO-8601 UTC for the API. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** ANI search is exact on the stored value; accept what people type (`+1415…`) and match the `tel:` form. */
function aniFilter(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  return /^[+\d]/.test(v) ? `tel:${v}` : v;
}

/** Past (and current) calls: full-text, time range and caller search, newest first, paged by cursor. */
export function History({ api, selectedId, onSelect, canPlay = true }: HistoryProps) {
  const [form, setForm] = useState<SearchForm>(EMPTY_FORM);
  const [filter, setFilter] = useState<ConversationFilter>({});
  // cursors of the pages before the current one; the current page's cursor is `cursor`
  const [previous, setPrevious] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const page = await api.listConversations({ ...filter, cursor, limit: HISTORY_PAGE_SIZE });
      setItems(page.items);
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }, [api, filter, cursor]);

  useEffect(() => {
    void load();
  }, [load]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter({
      q: form.q.trim() || undefined,
      ani: aniFilter(form.ani),
      from: localToIso(form.from),
      to: localToIso(form.to),
    });
    setPrevious([]);
    setCursor(undefined);
  };
  const clear = () => {
    setForm(EMPTY_FORM);
    setFilter({});
    setPrevious([]);
    setCursor(undefined);
  };
  const next = () => {
    if (!nextCursor) return;
    setPrevious((p) => [...p, cursor]);
    setCursor(nextCursor);
  };
  const back = () => {
    setCursor(previous[previous.length - 1]);
    setPrevious(previous.slice(0, -1));
  };
  const onKey = (id: string) => (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(id);
    }
  };
  const field = (name: keyof SearchForm) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value })),
  });

  return (
    <section className="history" aria-labelledby="history-title">
      <header className="section-header">
        <h2 id="history-title">History</h2>
      </header>
      <form className="search" onSubmit={search} role="search">
        <label>
          Text
          <input type="search" placeholder="words said in the call" {...field('q')} />
        </label>
        <label>
          Caller (ANI)
          <input type="text" placeholder="+14155550100" {...field('ani')} />
        </label>
        <label>
          From
          <input type="datetime-local" {...field('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" {...field('to')} />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className={`history-body${selectedId ? ' with-detail' : ''}`}>
        <div className="history-list">
          {!loading && items.length === 0 ? (
            <p className="empty">No calls match.</p>
          ) : (
            <table className="grid" aria-busy={loading}>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Caller</th>
                  <th scope="col">Queue / DNIS</th>
                  <th scope="col">Duration</th>
                  <th scope="col">State</th>
                  <th scope="col">Transcript</th>
                </tr>
              </thead>
              <tbody>
                {items.map((call) => (
                  <tr
                    key={call.id}
                    className={`clickable${call.id === selectedId ? ' selected' : ''}`}
                    tabIndex={0}
                    data-conversation-id={call.id}
                    aria-selected={call.id === selectedId}
                    onClick={() => onSelect(call.id)}
                    onKeyDown={onKey(call.id)}
                  >
                    <td>{formatDateTime(call.startedAt)}</td>
                    <td className="mono">{maskAni(call.ani)}</td>
                    <td className="mono">{call.dnis.replace(/^tel:/, '') || '—'}</td>
                    <td className="mono">
                      {call.endedAt ? callDuration(call.startedAt, call.endedAt, 0) : '—'}
                    </td>
                    <td>
                      <span className={`state state-${call.state}`}>{call.state}</span>
                    </td>
                    <td>
                      <TranscriptStatus call={call} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label="Pages">
            <button type="button" onClick={back} disabled={previous.length === 0}>
              ← Newer
            </button>
            <span className="muted">Page {previous.length + 1}</span>
            <button type="button" onClick={next} disabled={!nextCursor}>
              Older →
            </button>
          </nav>
        </div>
        {selectedId && (
          <HistoryDetail
            key={selectedId}
            api={api}
            id={selectedId}
            canPlay={canPlay}
            onClose={() => onSelect(null)}
          />
        )}
      </div>
    </section>
  );
}
