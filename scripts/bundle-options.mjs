// esbuild options shared by scripts/build.mjs and the e2e tests' test-only bundle, so a test bundle
// is built exactly like a shipped one.
/** @param {string} entry @param {string} outfile */
export function bundleOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // Prefer ES module builds: some packages' default entry is a UMD wrapper esbuild cannot follow
    // (jsonc-parser's requires './impl/format' at run time and the bundle dies on start).
    mainFields: ['module', 'main'],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    // import.meta.url is empty in CommonJS; WebAssembly loaders need it to find their files.
    define: { 'import.meta.url': '__aisec_import_meta_url', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __aisec_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  };
}
