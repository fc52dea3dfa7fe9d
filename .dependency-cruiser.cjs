/**
 * Which part may import which: DESIGN.md's "Parts and what each may touch" table, checked
 * by `npm run lint` (depcruise). A rule's comment says which line of the table it keeps.
 * Type-only imports (`import type`) count as imports everywhere except where a rule says
 * otherwise: they still tie one file's types to another's, and a cycle through them is
 * still a cycle.
 */

const GLUE = '^src-main/(app/|preload/|index[.]ts$)';
const CORE_DRAWING = '^src-main/core/(render|surface|layers|text|noise|png|thumbnail|sfnt|image-header)([.]ts$|/)';
const NODE_NETWORK = '^(node:)?(http|https|http2|net|tls|dgram)$';
const NODE_FS = '^(node:)?fs(/promises)?$';
// Packages are matched by where they resolve (node_modules/<name>/...).
const ELECTRON = '(^|/)node_modules/electron/';
const REACT = '(^|/)node_modules/react(-dom)?/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---- core: pure, imports only itself
    {
      name: 'core-imports-only-core',
      comment: 'core/ is the pure rendering core: it imports nothing of render/, server/, studio/, batch/, files/, app/, preload/, the CLI, api.ts or the UI.',
      severity: 'error',
      from: { path: '^src-main/core/' },
      to: { path: '^src-(main|renderer)/', pathNot: '^src-main/core/' },
    },
    {
      name: 'core-no-network-or-ui',
      comment: 'core/ never imports electron, http or react: it is a pure function of a design and a seed.',
      severity: 'error',
      from: { path: '^src-main/core/' },
      to: { path: [ELECTRON, REACT, NODE_NETWORK] },
    },
    {
      name: 'core-fs-only-for-fonts-and-presets',
      comment: 'core/ touches the file system only to load fonts, presets and the image files image layers name (and find their folders: resources.ts).',
      severity: 'error',
      from: { path: '^src-main/core/', pathNot: '^src-main/core/(fonts|presets|resources|layers/image-load)[.]ts$' },
      to: { path: NODE_FS },
    },
    // ---- render service: the pool and its protocol, over the core
    {
      name: 'render-imports-only-core',
      comment: 'render/ is the worker pool and its protocol: it imports only core/ (not api.ts, studio/, server/, batch/, files/, app/); its source-mode bootstrap also loads the source-mode loader.',
      severity: 'error',
      from: { path: '^src-main/render/' },
      to: { path: '^src-(main|renderer)/', pathNot: '^src-main/(render|core)/|^src-main/bin/source-(mode|hooks)\\.mjs$' },
    },
    {
      name: 'render-no-network',
      comment: 'render/ never imports http: the server calls it, not the other way round.',
      severity: 'error',
      from: { path: '^src-main/render/' },
      to: { path: NODE_NETWORK },
    },
    // ---- server
    {
      name: 'server-not-app-or-ui',
      comment: 'server/ runs headless (captcha-studio serve) as well as inside the app: it never imports app/, preload/, react or the UI.',
      severity: 'error',
      from: { path: '^src-main/server/' },
      to: { path: ['^src-main/(app|preload)/', '^src-renderer/', REACT] },
    },
    // ---- the designer's service
    {
      name: 'studio-not-server-or-app',
      comment: "studio/ (the designer's service) is shared by the desktop app and web mode: it never imports server/ or app/.",
      severity: 'error',
      from: { path: '^src-main/studio/' },
      to: { path: '^src-main/(server|app|preload)/' },
    },
    // ---- shared batch and file helpers (not in the table yet: they sit under the adapters)
    {
      name: 'batch-not-adapters',
      comment: 'batch/ is the one batch path for the CLI, the desktop and the web: it never imports server/, app/ or studio/.',
      severity: 'error',
      from: { path: '^src-main/batch/' },
      to: { path: '^src-main/(server|app|preload|studio)/' },
    },
    {
      name: 'files-imports-only-core',
      comment: 'files/ (design files, owned folders) is a leaf every adapter uses: it imports only core/.',
      severity: 'error',
      from: { path: '^src-main/files/' },
      to: { path: '^src-(main|renderer)/', pathNot: '^src-main/(files|core)/' },
    },
    {
      name: 'api-imports-only-core',
      comment: 'api.ts is the StudioApi contract the UI type-imports: it may import only the core (its schema) and the IPC names it shares with the preload (ipc-channels.ts), nothing that runs the app.',
      severity: 'error',
      from: { path: '^src-main/api[.]ts$' },
      to: { path: '^src-(main|renderer)/', pathNot: '^src-main/(core/|ipc-channels[.]ts$)' },
    },
    {
      name: 'ipc-channels-imports-nothing',
      comment: 'ipc-channels.ts is bundled into the sandboxed preload: it imports nothing at all.',
      severity: 'error',
      from: { path: '^src-main/ipc-channels[.]ts$' },
      to: {},
    },
    // ---- desktop glue
    {
      name: 'only-index-imports-app',
      comment: 'app/ is Electron glue: only src-main/index.ts starts it. Nothing else (not the preload, the server, the CLI) imports it.',
      severity: 'error',
      from: { pathNot: '^src-main/index[.]ts$|^src-main/app/' },
      to: { path: '^src-main/app/' },
    },
    {
      name: 'nothing-imports-entry-points',
      comment: 'src-main/index.ts, the preload and the CLI are entry points (the CLI is started by bin/): importing one runs it.',
      severity: 'error',
      from: { pathNot: '^src-main/bin/' },
      to: { path: '^src-main/(index[.]ts|cli[.]ts|preload/)' },
    },
    {
      name: 'electron-only-in-glue',
      comment: 'Only app/, preload/ and index.ts may import electron: the CLI, the server, the render service and the tests run in plain Node.',
      severity: 'error',
      from: { pathNot: GLUE },
      to: { path: ELECTRON },
    },
    {
      name: 'glue-calls-the-render-service',
      comment: "The desktop glue never imports the core's drawing internals: it calls the render service (render/ via studio/), so the native canvas stays out of the Electron main process.",
      severity: 'error',
      from: { path: GLUE },
      to: { path: CORE_DRAWING },
    },
    // ---- UI
    {
      name: 'ui-type-only-from-main',
      comment: 'The UI imports nothing of src-main at run time: only `import type` (the StudioApi and the schema types).',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'ui-only-schema-and-api',
      comment: 'Type-only imports from src-main/api.ts and src-main/core/design.ts are the one allowed crossing into the UI.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/(api|core/design)[.]ts$' },
    },
    {
      name: 'ui-no-node',
      comment: 'The renderer is a sandboxed web page: no Node built-in modules.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    // ---- whole tree
    {
      name: 'no-circular',
      comment: 'No import cycles (type-only ones included): a cycle means two modules are one part split in two, or one part reaches back up.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'A module in src-main that nothing imports is dead code (entry points and the worker bootstrap excepted).',
      severity: 'error',
      from: {
        orphan: true,
        path: '^src-main/',
        pathNot: ['^src-main/index[.]ts$', '^src-main/bin/', '^src-main/preload/index[.]ts$', '^src-main/render/worker(-bootstrap[.]mjs|[.]ts)$', '[.]d[.]ts$', '[.]json$'],
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'main-not-to-dev-deps',
      comment: 'The CLI runs from src-main with production dependencies only (npx captcha-studio): outside the desktop glue, which electron-vite bundles, src-main imports no devDependency at run time.',
      severity: 'error',
      from: { path: '^src-main/', pathNot: GLUE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    // Packages and Node built-ins stay in the graph as leaves (the electron, react, http and
    // fs rules need them); only our own code is followed.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|test|bench|scripts)/' },
    // Read TypeScript before compilation, so `import type` is seen (and told apart from value imports).
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.mjs', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
