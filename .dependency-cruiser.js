/** The dependency rule (DESIGN §8), run by `npm test`. */
const DOMAIN = '^libs/store/src/(namespace|lock|shared)/';
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'The namespace and lock aggregates and the shared kernel import no framework and no driver.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: '\\.(int-)?spec\\.ts$' },
      to: { path: 'node_modules/(@nestjs|better-sqlite3|@eventstore|fastify|rxjs)' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'event-store-knows-no-store',
      comment: 'The generic event log knows no domain.',
      severity: 'error',
      from: { path: '^libs/event-store/' },
      to: { path: '^libs/(store|client)/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders import each other in one direction only.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(libs|apps)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.(int-)?spec\\.ts$|^test/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
