#!/usr/bin/env node
// npm links bins only inside the package, so this shim loads the committed bundle at the repo root.
// oxlint-disable-next-line import/no-unassigned-import -- the bundle runs on load
require('../../../dist/cli/index.js');
