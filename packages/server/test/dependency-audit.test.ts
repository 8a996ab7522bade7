/**
 * scripts/dependency-audit.mjs (run by `npm test`): how an `npm audit --json` report meets the reviewed allowlist, how
 * an unreachable endpoint is told apart from a clean report, and the offline lockfile check — on fixture reports, since
 * the advisory endpoint may not be reachable from where tests run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  auditUnreachable,
  evaluateAudit,
  incompleteEntries,
  unverifiedProductionPackages,
} from '../../../scripts/dependency-audit.mjs';
import { repoRoot } from './support/e2e-stack.js';

const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    'bad-lib': {
      name: 'bad-lib',
      severity: 'high',
      via: [
        {
          source: 1100001,
          name: 'bad-lib',
          title: 'Prototype pollution',
          url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
          severity: 'high',
        },
      ],
    },
    'uses-bad-lib': { name: 'uses-bad-lib', severity: 'high', via: ['bad-lib'] },
  },
};

const entry = {
  advisory: 'GHSA-aaaa-bbbb-cccc',
  package: 'bad-lib',
  reason: 'only reachable through an API we never call',
  reviewedBy: 'security@example.com',
  reviewedOn: '2026-11-01',
  expires: '2027-02-01',
};

describe('dependency audit', () => {
  it('an advisory not on the allowlist is unreviewed (once, not again for the packages that depend on it)', () => {
    const result = evaluateAudit(report, { entries: [] }, '2026-12-01');
    expect(result.unreviewed).toEqual([
      { id: 'GHSA-aaaa-bbbb-cccc', package: 'bad-lib', severity: 'high', title: 'Prototype pollution' },
    ]);
  });

  it('a reviewed, unexpired entry covers it; once expired it no longer does and is reported', () => {
    expect(evaluateAudit(report, { entries: [entry] }, '2026-12-01')).toEqual({
      unreviewed: [],
      expired: [],
      stale: [],
    });
    const later = evaluateAudit(report, { entries: [entry] }, '2027-03-01');
    expect(later.unreviewed).toHaveLength(1);
    expect(later.expired).toEqual([entry]);
  });

  it('an entry for an advisory that is gone is stale; an entry without a reason or reviewer is incomplete', () => {
    expect(evaluateAudit({ vulnerabilities: {} }, { entries: [entry] }, '2026-12-01').stale).toEqual([entry]);
    expect(incompleteEntries({ entries: [entry, { ...entry, reason: '' }] })).toHaveLength(1);
  });

  it('an endpoint error is "not run", never a clean report', () => {
    expect(auditUnreachable({ message: '405 Method Not Allowed', statusCode: 405 })).toBe(true);
    expect(auditUnreachable({ error: { code: 'ENOTFOUND', summary: 'getaddrinfo ENOTFOUND' } })).toBe(true);
    expect(auditUnreachable(null)).toBe(true);
    expect(auditUnreachable({ auditReportVersion: 2, vulnerabilities: {} })).toBe(false);
  });

  it('lockfile: production packages from elsewhere or without sha512 integrity are named; dev ones are not', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/good': { integrity: 'sha512-x' },
        'node_modules/git-dep': { resolved: 'git+ssh://git@example.com/x.git', integrity: 'sha512-y' },
        'node_modules/weak': { integrity: 'sha1-z' },
        'node_modules/dev-only': { dev: true, resolved: 'https://evil.example/x.tgz' },
        'node_modules/@hookscribe/server': { resolved: 'packages/server', link: true },
      },
    };
    expect(unverifiedProductionPackages(lock)).toEqual([
      'git-dep (git+ssh://git@example.com/x.git)',
      'weak (sha1-z)',
    ]);
  });

  it("the repository's own lockfile and allowlist pass the offline checks", () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
    const allowlist = JSON.parse(readFileSync(join(repoRoot, 'security/audit-allowlist.json'), 'utf8'));
    expect(unverifiedProductionPackages(lock)).toEqual([]);
    expect(incompleteEntries(allowlist)).toEqual([]);
  });
});
