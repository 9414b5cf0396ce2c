/**
 * Which module may import which: the plugin's layers, the host/plugin
 * contract, what the browser UI may share, and no cycles. Run by `npm run lint`
 * (`npm run lint:deps` alone). Every rule is an error: a forbidden import fails
 * the lint and names the rule that it breaks.
 *
 * The plugin's layers, bottom to top (a module imports from its own layer and
 * the layers below, never from one above):
 *
 *   plugin/host-api.ts                 the contract with the host
 *   plugin/config/  plugin/cache/      settings and shares; generic per-share caches;
 *   plugin/store/                      the files on disk
 *   plugin/props/  plugin/locks/       properties, locks (not each other)
 *   plugin/media/  plugin/inbox/       the capture-date index and view, the inbox
 *   plugin/http/                       HTTP helpers that know nothing of WebDAV
 *   plugin/dav/                        the WebDAV methods
 *   plugin/access/                     who may do what
 *   plugin/api/                        the admin and about API
 *   plugin/activation.ts, index.ts     the wiring
 *
 * test/ is exempt from the layer rules (it may import any layer); it is not
 * exempt from no-circular.
 */

/** The layers, bottom to top; each entry is a regular expression for its paths. */
const LAYERS = [
  'plugin/host-api\\.ts$',
  'plugin/(?:config|cache)/',
  'plugin/store/',
  'plugin/(?:props|locks|media|inbox)/',
  'plugin/http/',
  'plugin/dav/',
  'plugin/access/',
  'plugin/api/',
  'plugin/(?:activation|index)\\.ts$',
];

/**
 * What a module of the layer at `index` may import from plugin/: its own layer
 * and those below. Anything else in plugin/ is forbidden, including a folder
 * that is not in LAYERS yet (it has to be given a place first).
 */
const atOrBelow = (index) => `^(?:${LAYERS.slice(0, index + 1).join('|')})`;

/** A rule: modules of layer `index` import nothing from plugin/ above it. */
const staysBelow = (name, index, comment, extra = {}) => ({
  name,
  comment,
  severity: 'error',
  from: { path: `^${LAYERS[index]}` },
  to: { path: '^plugin/', pathNot: atOrBelow(index), ...extra },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---- the plugin's layers ------------------------------------------------
    {
      name: 'host-api-imports-nothing-of-ours',
      comment:
        'plugin/host-api.ts is the contract between the host and the plugin, so it imports no module of ours and both sides can depend on it alone.',
      severity: 'error',
      from: { path: '^plugin/host-api\\.ts$' },
      to: { path: '^(?:plugin|host|admin-ui|test|scripts|bench)/', pathNot: '^plugin/host-api\\.ts$' },
    },
    staysBelow(
      'config-and-cache-know-only-the-host-api',
      1,
      'Reading settings and shares, and the generic per-share caches, need nothing but the host contract: plugin/config/ and plugin/cache/ import no other part of the plugin.',
    ),
    staysBelow(
      'store-knows-no-http',
      2,
      'The file store is storage only: plugin/store/ may use config and the host contract, never properties, locks, HTTP, WebDAV, access or the API.',
    ),
    staysBelow(
      'props-locks-and-media-know-no-http',
      3,
      'Properties, locks, the media index and the inbox are kept without knowing how they are asked for: plugin/props/, plugin/locks/, plugin/media/ and plugin/inbox/ import only their own layer, the store, config and the host contract.',
    ),
    {
      name: 'props-and-locks-are-independent',
      comment:
        'Properties and locks are separate concerns that WebDAV combines: plugin/props/ and plugin/locks/ do not import each other.',
      severity: 'error',
      from: { path: '^plugin/(props|locks)/' },
      to: { path: '^plugin/(?:props|locks)/', pathNot: '^plugin/$1/' },
    },
    staysBelow(
      'http-helpers-know-no-webdav',
      4,
      'plugin/http/ holds small HTTP helpers (Expect: 100-continue, request body facts, body rate guard) that know nothing of WebDAV, access or the API.',
    ),
    {
      name: 'dav-takes-permissions-from-the-request',
      comment:
        'WebDAV methods act on the permissions that access/ has already put on the request; plugin/dav/ never imports plugin/access/.',
      severity: 'error',
      from: { path: '^plugin/dav/' },
      to: { path: '^plugin/access/' },
    },
    staysBelow(
      'dav-knows-no-admin-api-or-wiring',
      5,
      'plugin/dav/ speaks WebDAV over the layers below it and knows nothing of the admin API or of how the plugin is wired up.',
      // dav -> access is reported by dav-takes-permissions-from-the-request.
      { pathNot: `${atOrBelow(5)}|^plugin/access/` },
    ),
    staysBelow(
      'access-knows-no-admin-api-or-wiring',
      6,
      'plugin/access/ decides who may do what for the WebDAV layer and knows nothing of the admin API or of how the plugin is wired up.',
    ),
    staysBelow(
      'api-knows-no-wiring',
      7,
      'plugin/api/ gets what it needs passed in; it does not import plugin/activation.ts or plugin/index.ts.',
    ),

    {
      name: 'inbox-knows-only-the-store',
      comment:
        'plugin/inbox/ files dropped files on disk; it imports only the store, config and the host contract, and gets capture times, locks and the media library passed in.',
      severity: 'error',
      from: { path: '^plugin/inbox/' },
      to: { path: '^plugin/', pathNot: '^plugin/(?:host-api\\.ts$|config/|cache/|store/|inbox/)' },
    },

    // ---- between the host, the plugin and the browser UI ---------------------
    {
      name: 'plugin-knows-no-host',
      comment:
        'The plugin runs in any host that keeps the contract in plugin/host-api.ts, so it never imports the reference host in host/.',
      severity: 'error',
      from: { path: '^plugin/' },
      to: { path: '^host/' },
    },
    {
      name: 'host-uses-only-the-plugin-contract',
      comment:
        'The host loads plugins at run time and knows them only through the contract: from plugin/ it imports plugin/host-api.ts alone.',
      severity: 'error',
      from: { path: '^host/' },
      to: { path: '^plugin/', pathNot: '^plugin/host-api\\.ts$' },
    },
    {
      name: 'admin-ui-shares-only-connect',
      comment:
        'The browser UI is bundled on its own; the only plugin code it shares is the pure plugin/api/connect.ts.',
      severity: 'error',
      from: { path: '^admin-ui/' },
      to: { path: '^(?:plugin|host)/', pathNot: '^plugin/api/connect\\.ts$' },
    },
    {
      name: 'admin-ui-runs-in-the-browser',
      comment: 'admin-ui/ is bundled for the browser, so it imports no Node.js built-in module.',
      severity: 'error',
      from: { path: '^admin-ui/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'connect-stays-pure',
      comment:
        'plugin/api/connect.ts is bundled into the browser UI as well as run by the plugin, so it imports nothing at all.',
      severity: 'error',
      from: { path: '^plugin/api/connect\\.ts$' },
      to: {},
    },
    {
      name: 'production-code-knows-no-tests',
      comment: 'What ships (plugin/, host/, admin-ui/, scripts/) never imports test/ or bench/ code.',
      severity: 'error',
      from: { path: '^(?:plugin|host|admin-ui|scripts)/' },
      to: { path: '^(?:test|bench)/' },
    },

    // ---- everywhere -----------------------------------------------------------
    {
      name: 'no-circular',
      comment:
        'Modules that import each other, directly or through others, cannot be understood, tested or layered one at a time: break the cycle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'The import names a module that does not exist (a typo, a moved file, or a package missing from package.json).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        'The import names an npm package that package.json does not list (it only happens to be installed as a dependency of another): add it to package.json.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'shipped-code-needs-no-dev-deps',
      comment:
        'plugin/ and host/ run with the "dependencies" of package.json only; a package they import at run time must be listed there, not in "devDependencies".',
      severity: 'error',
      from: { path: '^(?:plugin|host)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: 'node_modules/@types/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(?:dist|var|test-output|bench/results|bench/\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.mts', '.cts', '.d.mts', '.d.cts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
