import type { Dataset } from './dataset.js';
import type { LoadGroup } from './load.js';
import { adminBind, appPointSearch, bcryptBind, groupListing, pagedScan, pointSearch } from './workloads.js';
import { APP_GROUPS, BENCH_APP, benchApps } from './pgdir-store-load.js';

/** The benchmark's cases, as the issue lists them. Workloads are made fresh for every run. */
export interface BenchCase {
  readonly id: CaseId;
  readonly label: string;
  readonly conns: readonly number[];
  /** Whether the trivial targets (one fixed entry for any search) can run it meaningfully. */
  readonly trivialOk: boolean;
  /** Only pgdir has it (application views, issue 16). */
  readonly pgdirOnly?: boolean;
  groups(conns: number): LoadGroup[];
}

export const CASE_IDS = ['search', 'app-search', 'admin-bind', 'bcrypt-bind', 'groups', 'paged', 'mixed'] as const;
export type CaseId = (typeof CASE_IDS)[number];

export interface CaseOptions {
  readonly conns: readonly number[];
  readonly bcryptConns: readonly number[];
  /** Point-search connections in the mixed case (bcrypt binds run on bcryptConns[0] more). */
  readonly mixedConns: number;
}

export function benchCases(dataset: Dataset, o: CaseOptions): BenchCase[] {
  const bcryptSaturating = Math.max(...o.bcryptConns);
  return [
    { id: 'search', label: 'point search (uid)', conns: o.conns, trivialOk: true, groups: (c) => [{ workload: pointSearch(dataset), conns: c }] },
    ...(benchApps() > 0
      ? [{ id: 'app-search' as const, label: 'point search via app view', conns: o.conns, trivialOk: false, pgdirOnly: true, groups: (c: number) => [{ workload: appPointSearch(dataset, BENCH_APP, APP_GROUPS), conns: c }] }]
      : []),
    { id: 'admin-bind', label: 'simple bind (admin)', conns: o.conns, trivialOk: true, groups: (c) => [{ workload: adminBind(), conns: c }] },
    { id: 'bcrypt-bind', label: 'bcrypt bind (cost 10)', conns: o.bcryptConns, trivialOk: false, groups: (c) => [{ workload: bcryptBind(dataset), conns: c }] },
    { id: 'groups', label: 'group listing (all, members)', conns: o.conns, trivialOk: false, groups: (c) => [{ workload: groupListing(dataset), conns: c }] },
    { id: 'paged', label: 'paged scan (pages of 500)', conns: o.conns, trivialOk: false, groups: (c) => [{ workload: pagedScan(dataset), conns: c }] },
    {
      id: 'mixed',
      label: `mixed: search + ${bcryptSaturating} bcrypt binders`,
      conns: [o.mixedConns],
      trivialOk: false,
      groups: (c) => [
        { workload: pointSearch(dataset), conns: c },
        { workload: bcryptBind(dataset), conns: bcryptSaturating },
      ],
    },
  ];
}
