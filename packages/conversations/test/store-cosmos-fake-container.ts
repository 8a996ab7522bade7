/**
 * A fake Cosmos DB container at the @azure/cosmos SDK boundary: the calls CosmosConversationStore makes
 * (items.batch/query, item().read/replace/delete, read) with Cosmos semantics — partition-scoped transactional
 * batches (all-or-nothing, 409 on duplicate create, 412 on a stale If-Match), _etag on every write, 404s — and a small
 * evaluator for the Cosmos SQL subset the adapter uses. `down = true` makes every call fail with 503.
 */
import { randomUUID } from 'node:crypto';

type Doc = Record<string, unknown> & { id: string; conversationId: string; _etag?: string };
type Param = { name: string; value: unknown };

class CosmosError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

// ---- tiny Cosmos SQL evaluator -----------------------------------------------------------------------------------

type Token = { kind: 'word' | 'param' | 'string' | 'number' | 'op'; text: string };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(@\w+)|'([^']*)'|(\d+(?:\.\d+)?)|(<=|>=|!=|[=<>(),.*])|([A-Za-z_]\w*))/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < sql.trimEnd().length && (match = pattern.exec(sql)) !== null) {
    if (match[1]) tokens.push({ kind: 'param', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', text: match[2] });
    else if (match[3]) tokens.push({ kind: 'number', text: match[3] });
    else if (match[4]) tokens.push({ kind: 'op', text: match[4] });
    else tokens.push({ kind: 'word', text: match[5]! });
  }
  return tokens;
}

type Scope = Record<string, unknown>;
type Expr = (scope: Scope) => unknown;

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly params: Map<string, unknown>,
  ) {}

  private peek(text?: string): boolean {
    const token = this.tokens[this.at];
    return token !== undefined && (text === undefined || token.text.toUpperCase() === text.toUpperCase());
  }
  private take(text?: string): Token {
    const token = this.tokens[this.at];
    if (token === undefined || (text !== undefined && token.text.toUpperCase() !== text.toUpperCase()))
      throw new CosmosError(400, `fake Cosmos SQL: expected ${text ?? 'token'} at ${token?.text ?? 'end'}`);
    this.at++;
    return token;
  }

  query(): { run: (docs: Scope[]) => unknown[] } {
    this.take('SELECT');
    const distinct = this.peek('DISTINCT') ? (this.take(), true) : false;
    let top = Infinity;
    if (this.peek('TOP')) {
      this.take();
      top = Number(this.take().text);
    }
    let project: Expr | null = null;
    let count = false;
    if (this.peek('*')) this.take();
    else {
      this.take('VALUE');
      if (this.peek('COUNT')) {
        this.take();
        this.take('(');
        this.take();
        this.take(')');
        count = true;
      } else project = this.value();
    }
    this.take('FROM');
    const alias = this.take().text;
    let source: Expr | null = null;
    if (this.peek('IN')) {
      this.take();
      source = this.value();
    }
    const where = this.peek('WHERE') ? (this.take(), this.condition()) : () => true;
    const order: { key: Expr; descending: boolean }[] = [];
    if (this.peek('ORDER')) {
      this.take();
      this.take('BY');
      do {
        if (this.peek(',')) this.take();
        const key = this.value();
        const descending = this.peek('DESC') ? (this.take(), true) : (this.peek('ASC') && this.take(), false);
        order.push({ key, descending });
      } while (this.peek(','));
    }
    return {
      run: (docs) => {
        const rows = docs.map((doc) => ({
          ...doc,
          [alias]: source === null ? (doc[alias] ?? doc) : doc[alias],
        }));
        let matched = rows.filter((row) => Boolean(where(row)));
        matched.sort((a, b) => {
          for (const { key, descending } of order) {
            const x = key(a) as number | string;
            const y = key(b) as number | string;
            if (x < y) return descending ? 1 : -1;
            if (x > y) return descending ? -1 : 1;
          }
          return 0;
        });
        if (count) return [matched.length];
        let values: unknown[] = matched.map((row) => (project === null ? row[alias] : project(row)));
        if (distinct) values = [...new Set(values)];
        if (top !== Infinity) matched = matched.slice(0, top);
        return values.slice(0, top);
      },
    };
  }

  condition(): Expr {
    let left = this.conjunction();
    while (this.peek('OR')) {
      this.take();
      const a = left;
      const b = this.conjunction();
      left = (scope) => Boolean(a(scope)) || Boolean(b(scope));
    }
    return left;
  }

  private conjunction(): Expr {
    let left = this.atom();
    while (this.peek('AND')) {
      this.take();
      const a = left;
      const b = this.atom();
      left = (scope) => Boolean(a(scope)) && Boolean(b(scope));
    }
    return left;
  }

  private atom(): Expr {
    if (this.peek('(')) {
      this.take();
      const inner = this.condition();
      this.take(')');
      return inner;
    }
    if (this.peek('EXISTS')) {
      this.take();
      this.take('(');
      // SELECT VALUE w FROM w IN c.words WHERE <cond>
      this.take('SELECT');
      this.take('VALUE');
      this.value();
      this.take('FROM');
      const alias = this.take().text;
      this.take('IN');
      const source = this.value();
      this.take('WHERE');
      const cond = this.condition();
      this.take(')');
      return (scope) =>
        ((source(scope) as unknown[]) ?? []).some((item) => cond({ ...scope, [alias]: item }));
    }
    if (this.peek('ARRAY_CONTAINS') || this.peek('STARTSWITH')) {
      const fn = this.take().text.toUpperCase();
      this.take('(');
      const a = this.value();
      this.take(',');
      const b = this.value();
      this.take(')');
      return fn === 'ARRAY_CONTAINS'
        ? (scope) => (a(scope) as unknown[]).includes(b(scope))
        : (scope) => String(a(scope)).startsWith(String(b(scope)));
    }
    const left = this.value();
    const op = this.take().text;
    const right = this.value();
    return (scope) => {
      const x = left(scope) as number | string;
      const y = right(scope) as number | string;
      if (x === undefined || y === undefined) return false;
      switch (op) {
        case '=':
          return x === y;
        case '!=':
          return x !== y;
        case '<':
          return x < y;
        case '<=':
          return x <= y;
        case '>':
          return x > y;
        case '>=':
          return x >= y;
        default:
          throw new CosmosError(400, `fake Cosmos SQL: operator ${op}`);
      }
    };
  }

  private value(): Expr {
    const token = this.take();
    if (token.kind === 'param') {
      if (!this.params.has(token.text))
        throw new CosmosError(400, `fake Cosmos SQL: missing parameter ${token.text}`);
      const value = this.params.get(token.text);
      return () => value;
    }
    if (token.kind === 'string') return () => token.text;
    if (token.kind === 'number') return () => Number(token.text);
    const path = [token.text];
    while (this.peek('.')) {
      this.take();
      path.push(this.take().text);
    }
    return (scope) => path.slice(1).reduce<unknown>((value, key) => (value as Scope)?.[key], scope[path[0]!]);
  }
}

// ---- the container -------------------------------------------------------------------------------------------

export class FakeCosmosContainer {
  /** key = partition + '\u0000' + id */
  readonly docs = new Map<string, Doc>();
  down = false;
  /** every SQL text the adapter ran, for assertions */
  readonly queries: string[] = [];

  private check(): void {
    if (this.down) throw new CosmosError(503, 'Service Unavailable (fake container is down)');
  }

  private static key(partition: string, id: string): string {
    return `${partition}\u0000${id}`;
  }

  private stamp(doc: Doc): Doc {
    return structuredClone({ ...doc, _etag: `"${randomUUID()}"` });
  }

  read = async (): Promise<{ statusCode: number }> => {
    this.check();
    return { statusCode: 200 };
  };

  item = (id: string, partition: string) => ({
    read: async () => {
      this.check();
      const doc = this.docs.get(FakeCosmosContainer.key(partition, id));
      return { resource: doc === undefined ? undefined : structuredClone(doc), statusCode: doc ? 200 : 404 };
    },
    replace: async (body: Doc, options?: { accessCondition?: { type: string; condition: string } }) => {
      this.check();
      const key = FakeCosmosContainer.key(partition, id);
      const current = this.docs.get(key);
      if (current === undefined) throw new CosmosError(404, 'Not Found');
      if (options?.accessCondition?.type === 'IfMatch' && options.accessCondition.condition !== current._etag)
        throw new CosmosError(412, 'Precondition Failed');
      const stored = this.stamp(body);
      this.docs.set(key, stored);
      return { resource: structuredClone(stored), statusCode: 200 };
    },
    delete: async () => {
      this.check();
      if (!this.docs.delete(FakeCosmosContainer.key(partition, id))) throw new CosmosError(404, 'Not Found');
      return { statusCode: 204 };
    },
  });

  items = {
    batch: async (
      operations: { operationType: string; id?: string; ifMatch?: string; resourceBody?: Doc }[],
      partition: string,
    ) => {
      this.check();
      if (operations.length > 100) throw new CosmosError(400, 'batch limit is 100 operations');
      const staged = new Map(this.docs);
      const results: { statusCode: number }[] = [];
      let failedAt = -1;
      operations.forEach((operation, index) => {
        if (failedAt >= 0) return;
        if (operation.operationType === 'Delete') {
          const key = FakeCosmosContainer.key(partition, operation.id!);
          const status = staged.delete(key) ? 204 : 404;
          results.push({ statusCode: status });
          if (status === 404) failedAt = index;
          return;
        }
        const body = operation.resourceBody!;
        const id = operation.id ?? body.id;
        if (body.conversationId !== partition) {
          results.push({ statusCode: 400 });
          failedAt = index;
          return;
        }
        const key = FakeCosmosContainer.key(partition, id);
        const current = staged.get(key);
        let status = 200;
        if (operation.operationType === 'Create' && current !== undefined) status = 409;
        else if (operation.operationType === 'Replace' && current === undefined) status = 404;
        else if (operation.ifMatch !== undefined && current?._etag !== operation.ifMatch) status = 412;
        if (status >= 400) {
          results.push({ statusCode: status });
          failedAt = index;
          return;
        }
        staged.set(key, this.stamp(body));
        results.push({ statusCode: operation.operationType === 'Create' ? 201 : 200 });
      });
      if (failedAt >= 0)
        return {
          result: operations.map((_, index) => ({
            statusCode: index === failedAt ? results[index]!.statusCode : 424,
          })),
        };
      this.docs.clear();
      for (const [key, doc] of staged) this.docs.set(key, doc);
      return { result: results };
    },
    query: (spec: { query: string; parameters: Param[] }, options: { partitionKey?: string } = {}) => ({
      fetchAll: async () => {
        this.check();
        this.queries.push(spec.query);
        const parser = new Parser(
          tokenize(spec.query),
          new Map(spec.parameters.map((p) => [p.name, p.value])),
        );
        const query = parser.query();
        const docs = [...this.docs.values()]
          .filter((doc) => options.partitionKey === undefined || doc.conversationId === options.partitionKey)
          .map((doc) => ({ c: structuredClone(doc) }));
        return { resources: query.run(docs) };
      },
    }),
  };
}
