import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { AuditEntry, AuditFilter } from '../api/types.js';

export const AUDIT_PAGE_SIZE = 50;

const ACTIONS = ['list', 'read', 'play', 'export', 'delete', 'erase', 'hold', 'pause'];

/** datetime-local value (local time) → ISO-8601, or undefined when empty */
function isoOf(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

/** The audit log (admins): who listed, read, played, exported or deleted which conversation, when, from where. */
export function AuditLog({
  api,
  onOpenConversation,
}: {
  api: ApiClient;
  onOpenConversation: (id: string) => void;
}) {
  const [form, setForm] = useState({ conversationId: '', subject: '', action: '', from: '', to: '' });
  const [filter, setFilter] = useState<AuditFilter>({});
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      try {
        const page = await api.listAudit({
          ...filter,
          limit: AUDIT_PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        });
        setItems((current) => (cursor ? [...current, ...page.items] : page.items));
        setNext(page.nextCursor);
        setError(null);
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [api, filter],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilter({
      ...(form.conversationId.trim() ? { conversationId: form.conversationId.trim() } : {}),
      ...(form.subject.trim() ? { subject: form.subject.trim() } : {}),
      ...(form.action ? { action: form.action } : {}),
      ...(isoOf(form.from) ? { from: isoOf(form.from) } : {}),
      ...(isoOf(form.to) ? { to: isoOf(form.to) } : {}),
    });
  };
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value })),
  });

  return (
    <section className="audit" aria-labelledby="audit-title">
      <header className="section-header">
        <h2 id="audit-title">Audit log</h2>
      </header>
      <form onSubmit={search} aria-label="Filter the audit log">
        <label>
          Conversation
          <input type="text" {...field('conversationId')} />
        </label>
        <label>
          Who
          <input type="text" {...field('subject')} />
        </label>
        <label>
          Action
          <select {...field('action')}>
            <option value="">any</option>
            {ACTIONS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" {...field('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" {...field('to')} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Role</th>
            <th scope="col">Action</th>
            <th scope="col">Conversation</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          {items.map((entry) => (
            <tr key={entry.id} data-audit-action={entry.action}>
              <td>{new Date(entry.at).toLocaleString()}</td>
              <td title={`signed in by ${entry.authMethod}`}>{entry.subject}</td>
              <td>{entry.role}</td>
              <td>{entry.action}</td>
              <td>
                {entry.conversationId ? (
                  <button
                    type="button"
                    className="link"
                    onClick={() => onOpenConversation(entry.conversationId!)}
                  >
                    {entry.conversationId}
                  </button>
                ) : (
                  '—'
                )}
              </td>
              <td>{entry.address}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && items.length === 0 && !error && <p className="muted">No audit entries match.</p>}
      {next && (
        <button type="button" className="more" disabled={loading} onClick={() => void load(next)}>
          Older entries
        </button>
      )}
    </section>
  );
}
