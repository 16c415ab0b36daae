/**
 * pgdir's architecture rules (docs/architecture.md), checked by `npm run depcheck` inside `npm test`.
 *
 * Layers, innermost first: domain → store → directory → the edges (ldap, http, control, connector,
 * cli) → app (the composition root, the only place that wires edges together). `config`, `log`,
 * `metrics` and `daemon` (the contract a network service implements) are shared inner modules.
 * Imports point inwards only; third-party protocol and database libraries stay at their edge.
 */
const EDGES = ['ldap', 'http', 'control', 'connector', 'cli'];

/** One `src/<folder>` path pattern. */
const layer = (name) => `^src/${name}(/|\\.ts$)`;
const any = (names) => `^src/(${names.join('|')})(/|\\.ts$)`;

/**
 * Imports the rules below cannot forbid yet because another branch owns the importing file. Each
 * entry is removed when that branch lands; the merge deletes this list once it is empty.
 */
const KNOWN_VIOLATIONS = [];

const notKnown = (rule) => ({ ...rule, from: { ...rule.from, pathNot: [...(rule.from.pathNot ?? []), ...KNOWN_VIOLATIONS.map((v) => v.from)] } });

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds the model and the rules; it imports nothing of ours.',
      from: { path: layer('domain') },
      to: { path: '^src/', pathNot: layer('domain') },
    },
    {
      name: 'store-only-domain',
      severity: 'error',
      comment: 'store/ persists the domain model; it knows nothing of the use cases or protocols.',
      from: { path: layer('store') },
      to: { path: '^src/', pathNot: any(['store', 'domain', 'log']) },
    },
    {
      name: 'directory-only-inner',
      severity: 'error',
      comment: 'directory/ (the use cases) sees only the store, the domain, the config and the shared metrics.',
      from: { path: layer('directory') },
      to: { path: '^src/', pathNot: any(['directory', 'store', 'domain', 'config', 'metrics', 'log']) },
    },
    ...EDGES.map((edge) => ({
      name: `${edge}-no-other-edge`,
      severity: 'error',
      comment: `The edges never import each other; app/ wires them together (${edge}).`,
      from: { path: layer(edge) },
      to: { path: any(EDGES.filter((e) => e !== edge).concat(['app'])) },
    })),
    {
      name: 'inner-never-imports-edges',
      severity: 'error',
      comment: 'Shared inner modules (config, log, metrics, daemon) never import an edge or the root.',
      from: { path: any(['config', 'log', 'metrics', 'daemon', 'domain', 'store', 'directory']) },
      to: { path: any([...EDGES, 'app']) },
    },
    {
      name: 'database-libraries-in-store',
      severity: 'error',
      comment: 'kysely, pg and PGlite are the store’s business alone.',
      from: { path: '^src/', pathNot: layer('store') },
      to: { dependencyTypes: ['npm', 'npm-dev'], path: '^node_modules/(kysely|pg|pg-[^/]+|@electric-sql/pglite)/' },
    },
    {
      name: 'ldap-client-in-connector',
      severity: 'error',
      comment: 'ldapts (the LDAP client) belongs to the connector; the server speaks LDAP with its own codec.',
      from: { path: '^src/', pathNot: layer('connector') },
      to: { dependencyTypes: ['npm', 'npm-dev'], path: '^node_modules/ldapts/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ].map(notKnown),
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|node_modules)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
