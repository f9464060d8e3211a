'use strict';
// Entry point for `node --test interop/node/`: Node 20's runner only picks up
// files named like test.js, *.test.js, *-test.js, *_test.js or test-*.js, so
// this loads the suite from test_interop.js.
require('./test_interop.js');
