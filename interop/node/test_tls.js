'use strict';
// Mutual TLS between oxgrpc and Node @grpc/grpc-js, both ways (the grpc-js
// counterpart of interop/python/test_tls.py).
//
//   TLS_CERTS_BIN=.../tls-certs HELLO_SERVER=.../helloworld-server \
//   HELLO_CLIENT=.../helloworld-client node --test interop/node/test_tls.js
//
// Certificates come from the `tls-certs` helper (a CA, a server certificate
// for *.test.google.fr, a client certificate, and one from an untrusted CA);
// clients override the server name, as grpc's interop tests do.
//
// Environment (all three required, else every case is skipped, visibly):
//   TLS_CERTS_BIN   the tls-certs binary
//   HELLO_SERVER    the oxgrpc helloworld-server binary
//   HELLO_CLIENT    the oxgrpc helloworld-client binary
//
// Node 20's `node --test interop/node/` does not pick this file up (its name
// matches none of the runner's patterns); scripts/grpc-interop.sh runs it on
// its own, next to the Python mutual-TLS step.

const test = require('node:test');
const { describe, before, after } = test;
const assert = require('node:assert/strict');
const { execFile, execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const OVERRIDE = 'foo.test.google.fr';
const CALL_TIMEOUT_MS = 10000; // deadline of every grpc-js call
const PROCESS_TIMEOUT_MS = 30000; // oxgrpc client runs, server start-up
const { TLS_CERTS_BIN, HELLO_SERVER, HELLO_CLIENT } = process.env;
const MISSING = ['TLS_CERTS_BIN', 'HELLO_SERVER', 'HELLO_CLIENT'].filter((v) => !process.env[v]);

const PROTO_DIR = path.resolve(__dirname, '..', '..', 'examples', 'proto');
const proto = grpc.loadPackageDefinition(
  protoLoader.loadSync('helloworld.proto', { includeDirs: [PROTO_DIR], keepCase: true }),
);

// --- certificates -------------------------------------------------------------

let certDir = '';
const certPath = (name) => path.join(certDir, name);
const readCert = (name) => fs.readFileSync(certPath(name));

function makeCerts() {
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxgrpc-tls-certs-js-'));
  execFileSync(TLS_CERTS_BIN, [certDir], { timeout: PROCESS_TIMEOUT_MS, stdio: 'pipe' });
}

// --- grpc-js client -----------------------------------------------------------

// key: "client", "other-client" or null (no client certificate).
function greeterClient(target, { key = 'client', ca = 'ca.pem' } = {}) {
  const creds = grpc.credentials.createSsl(
    readCert(ca),
    key ? readCert(`${key}.key`) : null,
    key ? readCert(`${key}.pem`) : null,
  );
  return new proto.helloworld.Greeter(target, creds, {
    'grpc.ssl_target_name_override': OVERRIDE,
    'grpc.default_authority': OVERRIDE,
  });
}

// Resolves { message, authContext } or rejects with the grpc error.
function sayHello(client, name = 'node') {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + CALL_TIMEOUT_MS);
    const call = client.SayHello({ name }, { deadline }, (err, reply) => {
      if (err) reject(err);
      else resolve({ message: reply.message, authContext: call.getAuthContext() });
    });
  });
}

async function withClient(target, opts, fn) {
  const client = greeterClient(target, opts);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

async function assertGoodClientServed(target) {
  await withClient(target, {}, async (client) => {
    const { message } = await sayHello(client);
    assert.equal(message, 'Hello node');
  });
}

// cause: what the error details must say (grpc-js reports the TLS error,
// e.g. the alert the oxgrpc server sent before closing).
async function assertUnavailable(t, target, opts, cause) {
  await withClient(target, opts, async (client) => {
    await assert.rejects(sayHello(client), (err) => {
      assert.equal(err.code, grpc.status.UNAVAILABLE, `${err.code} ${err.details}`);
      assert.match(err.details, cause);
      t.diagnostic(`refused as expected: ${err.details}`);
      return true;
    });
  });
}

// --- oxgrpc helloworld-server (mTLS required) ---------------------------------

function startOxgrpcServer() {
  return new Promise((resolve, reject) => {
    const proc = spawn(HELLO_SERVER, ['--addr', '127.0.0.1:0'], {
      env: {
        ...process.env,
        OXGRPC_TLS_CERT: certPath('server.pem'),
        OXGRPC_TLS_KEY: certPath('server.key'),
        OXGRPC_TLS_CLIENT_CA: certPath('ca.pem'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      proc.kill();
      reject(new Error(`helloworld-server did not listen within ${PROCESS_TIMEOUT_MS} ms: ${stderr}`));
    }, PROCESS_TIMEOUT_MS);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /listening on (\S+)/.exec(stderr);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ proc, target: m[1], stderr: () => stderr });
      }
    });
    proc.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    });
    proc.on('exit', (code, signal) => {
      proc.exited = { code, signal };
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`helloworld-server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
}

function stopProcess(proc) {
  if (proc.exited) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    proc.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

// --- grpc-js server (mTLS required) -------------------------------------------

function startGrpcJsServer() {
  const server = new grpc.Server();
  server.addService(proto.helloworld.Greeter.service, {
    SayHello(call, callback) {
      const cert = call.getAuthContext()?.sslPeerCertificate;
      const cn = cert?.subject?.CN ?? '(no certificate)';
      callback(null, { message: `Hello ${call.request.name} from ${cn}` });
    },
  });
  const creds = grpc.ServerCredentials.createSsl(
    readCert('ca.pem'),
    [{ cert_chain: readCert('server.pem'), private_key: readCert('server.key') }],
    true,
  );
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', creds, (err, port) => {
      if (err) reject(err);
      else resolve({ server, target: `127.0.0.1:${port}` });
    });
  });
}

// Runs the oxgrpc helloworld-client (asynchronously: the grpc-js server lives
// in this process). key: "client", "other-client" or null.
function oxgrpcClient(target, { key = 'client', ca = 'ca.pem' } = {}) {
  const env = { ...process.env, OXGRPC_TLS_CA: certPath(ca), OXGRPC_TLS_SERVER_NAME: OVERRIDE };
  delete env.OXGRPC_TLS_CERT;
  delete env.OXGRPC_TLS_KEY;
  if (key) {
    env.OXGRPC_TLS_CERT = certPath(`${key}.pem`);
    env.OXGRPC_TLS_KEY = certPath(`${key}.key`);
  }
  return new Promise((resolve) => {
    execFile(
      HELLO_CLIENT,
      ['--addr', target],
      { env, timeout: PROCESS_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (err.killed ? `killed after ${PROCESS_TIMEOUT_MS} ms` : err.code) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// --- the cases ------------------------------------------------------------------

if (MISSING.length > 0) {
  test('mutual TLS with grpc-js', { skip: `set ${MISSING.join(', ')} to run` }, () => {});
} else {
  before(makeCerts);
  after(() => fs.rmSync(certDir, { recursive: true, force: true }));

  describe('grpc-js client -> oxgrpc helloworld-server requiring client certificates', () => {
    let server;
    before(async () => {
      server = await startOxgrpcServer();
    });
    after(async () => {
      if (!server) return;
      const died = server.proc.exited;
      await stopProcess(server.proc);
      assert.equal(died, undefined, `helloworld-server died during the tests: ${server.stderr()}`);
    });

    test('with a client certificate: SayHello works, over TLS', async (t) => {
      await withClient(server.target, {}, async (client) => {
        const { message, authContext } = await sayHello(client);
        assert.equal(message, 'Hello node');
        assert.equal(authContext?.transportSecurityType, 'ssl');
        assert.equal(authContext?.sslPeerCertificate?.subject?.CN, 'server');
      });
    });

    test('without a client certificate: UNAVAILABLE, then a good client is served', async (t) => {
      await assertUnavailable(t, server.target, { key: null }, /alert certificate required/i);
      await assertGoodClientServed(server.target);
    });

    test('with a certificate from an untrusted CA: UNAVAILABLE, then a good client is served', async (t) => {
      await assertUnavailable(t, server.target, { key: 'other-client' }, /alert unknown ca/i);
      await assertGoodClientServed(server.target);
    });

    test('trusting the wrong CA: UNAVAILABLE, then a good client is served', async (t) => {
      await assertUnavailable(t, server.target, { ca: 'other-ca.pem' }, /unable to verify/i);
      await assertGoodClientServed(server.target);
    });

    test('plaintext grpc-js client: UNAVAILABLE, then a good client is served', async (t) => {
      const client = new proto.helloworld.Greeter(server.target, grpc.credentials.createInsecure());
      try {
        await assert.rejects(sayHello(client), (err) => {
          assert.equal(err.code, grpc.status.UNAVAILABLE, `${err.code} ${err.details}`);
          t.diagnostic(`refused as expected: ${err.details}`);
          return true;
        });
      } finally {
        client.close();
      }
      await assertGoodClientServed(server.target);
    });
  });

  describe('oxgrpc helloworld-client -> grpc-js server requiring client certificates', () => {
    let server;
    before(async () => {
      server = await startGrpcJsServer();
    });
    after(() => new Promise((resolve) => (server ? server.server.tryShutdown(() => resolve()) : resolve())));

    test('with a client certificate and the server-name override: succeeds', async (t) => {
      const out = await oxgrpcClient(server.target);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.trim(), 'Hello oxgrpc from client');
    });

    test('without a client certificate: fails with a clear error', async (t) => {
      const out = await oxgrpcClient(server.target, { key: null });
      t.diagnostic(`helloworld-client stderr: ${out.stderr.trim()}`);
      assert.notEqual(out.code, 0, `exit ${out.code}, stdout ${out.stdout}`);
      assert.equal(out.stdout, '');
      assert.match(out.stderr, /unavailable/i);
      assert.match(out.stderr, /tls/i);
      assert.match(out.stderr, /certificate/i);
    });

    test('trusting the wrong CA: fails with a clear error', async (t) => {
      const out = await oxgrpcClient(server.target, { ca: 'other-ca.pem' });
      t.diagnostic(`helloworld-client stderr: ${out.stderr.trim()}`);
      assert.notEqual(out.code, 0, `exit ${out.code}, stdout ${out.stdout}`);
      assert.equal(out.stdout, '');
      assert.match(out.stderr, /unavailable/i);
      assert.match(out.stderr, /certificate/i);
    });
  });
}
