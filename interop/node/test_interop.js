'use strict';
// Interop tests: Node @grpc/grpc-js client against a Bookstore/Greeter server.
//
//   node --test interop/node/
//
// Environment:
//   GRPC_TARGET   host:port of the bookstore server (default 127.0.0.1:50051)
//   HELLO_TARGET  host:port of the greeter server (default: GRPC_TARGET)
//   SERVER_LOG    optional path of the bookstore server's stderr log; when set,
//                 the cancellation tests wait for its "cancelled: ..." line
//   GRPC_PEER     "python-reference" when the server is the grpcio reference
//                 server, which cannot see the request's compression: the
//                 checks that the response mirrors it are skipped for it.

const test = require('node:test');
const { describe, before, after } = test;
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http2 = require('node:http2');
const path = require('node:path');
const zlib = require('node:zlib');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const TARGET = process.env.GRPC_TARGET || '127.0.0.1:50051';
const HELLO_TARGET = process.env.HELLO_TARGET || TARGET;
const SERVER_LOG = process.env.SERVER_LOG || '';
const REFERENCE = process.env.GRPC_PEER === 'python-reference';
const TIMEOUT_MS = 10000; // backstop deadline for every call
const MAX_MSG = 16 * 1024 * 1024;

// proto-loader resolves google/protobuf/empty.proto from protobufjs's
// bundled well-known types, so only examples/proto is needed.
const PROTO_DIR = path.resolve(__dirname, '..', '..', 'examples', 'proto');
const packageDefinition = protoLoader.loadSync(['bookstore.proto', 'helloworld.proto'], {
  includeDirs: [PROTO_DIR],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const proto = grpc.loadPackageDefinition(packageDefinition);
const methods = packageDefinition['bookstore.Bookstore'];

// The article's books, in the order the store holds them.
const INITIAL_BOOKS = [
  { id: '1', title: 'gRPC Fundamentals', author: 'Jane Smith' },
  { id: '2', title: 'Protobuf in Practice', author: 'Alex Johnson' },
  { id: '3', title: 'Streaming APIs', author: 'Mia Chen' },
  { id: '123', title: 'A Sample Book', author: 'An Author' },
];

const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': MAX_MSG,
  'grpc.max_send_message_length': MAX_MSG,
};

function deadline(ms = TIMEOUT_MS) {
  return new Date(Date.now() + ms);
}

function freshId() {
  return `book-${10000 + Math.floor(Math.random() * 2000000000)}`;
}

function bookstoreClient(options = {}) {
  return new proto.bookstore.Bookstore(TARGET, grpc.credentials.createInsecure(), {
    ...CHANNEL_OPTIONS,
    ...options,
  });
}

// --- call helpers -----------------------------------------------------------

// Unary / client-streaming result: { value, metadata, status } or rejects
// with the grpc error (which carries .code, .details, .metadata).
function unary(client, method, request, { metadata = new grpc.Metadata(), deadlineMs } = {}) {
  return new Promise((resolve, reject) => {
    let initial = null;
    let value;
    let error = null;
    let done = false;
    const call = client[method](request, metadata, { deadline: deadline(deadlineMs) }, (err, v) => {
      error = err;
      value = v;
    });
    call.on('metadata', (md) => {
      initial = md;
    });
    call.on('status', (status) => {
      if (done) return;
      done = true;
      // The callback runs before 'status'; both have fired by now.
      setImmediate(() => {
        if (error) {
          error.initialMetadata = initial;
          reject(error);
        } else resolve({ value, metadata: initial, status });
      });
    });
  });
}

function clientStream(client, method, books, opts = {}) {
  return new Promise((resolve, reject) => {
    let initial = null;
    let value;
    let error = null;
    const md = opts.metadata || new grpc.Metadata();
    const call = client[method](md, { deadline: deadline(opts.deadlineMs) }, (err, v) => {
      error = err;
      value = v;
    });
    call.on('metadata', (m) => {
      initial = m;
    });
    call.on('status', (status) => {
      setImmediate(() => {
        if (error) reject(error);
        else resolve({ value, metadata: initial, status });
      });
    });
    for (const b of books) call.write(b);
    call.end();
  });
}

// Collects a server-streaming or bidi call: { messages, metadata, status }.
function collect(call) {
  return new Promise((resolve, reject) => {
    const messages = [];
    let initial = null;
    let error = null;
    call.on('metadata', (m) => {
      initial = m;
    });
    call.on('data', (m) => messages.push(m));
    call.on('error', (e) => {
      error = e;
    });
    call.on('status', (status) => {
      setImmediate(() => {
        if (error) {
          error.messages = messages;
          reject(error);
        } else resolve({ messages, metadata: initial, status });
      });
    });
  });
}

function sendMetadata() {
  const md = new grpc.Metadata();
  md.add('x-trace', 'abc');
  md.add('x-token-bin', Buffer.from([0x00, 0x01, 0xff]));
  return md;
}

function checkMetadata(initial, trailing) {
  assert.ok(initial, 'no initial metadata received');
  assert.deepEqual(initial.get('x-trace'), ['abc'], 'x-trace in initial metadata');
  const bin = initial.get('x-token-bin');
  assert.equal(bin.length, 1, `x-token-bin in initial metadata: ${JSON.stringify(initial.getMap())}`);
  assert.ok(Buffer.isBuffer(bin[0]), 'x-token-bin value is binary');
  assert.deepEqual([...bin[0]], [0x00, 0x01, 0xff], 'x-token-bin value');
  assert.deepEqual(trailing.get('x-served-by'), ['oxgrpc-bookstore'], 'x-served-by in trailing metadata');
}

function delayMetadata(ms) {
  const md = new grpc.Metadata();
  md.add('x-delay-ms', String(ms));
  return md;
}

function countCancelled(method) {
  if (!SERVER_LOG) return 0;
  try {
    const text = fs.readFileSync(SERVER_LOG, 'utf8');
    return text.split(`cancelled: /bookstore.Bookstore/${method}`).length - 1;
  } catch {
    return 0;
  }
}

async function waitCancelLogged(method, beforeCount) {
  if (!SERVER_LOG) return;
  const end = Date.now() + 3000;
  while (Date.now() < end) {
    if (countCancelled(method) > beforeCount) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`server log ${SERVER_LOG} has no new 'cancelled: /bookstore.Bookstore/${method}' line within 3 s`);
}

// --- raw HTTP/2 gRPC (to see the response's grpc-encoding on the wire) ------

const COMPRESS = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b), // gRPC "deflate" is the zlib format
};
const DECOMPRESS = {
  gzip: (b) => zlib.gunzipSync(b),
  deflate: (b) => zlib.inflateSync(b),
};

function frame(payload, encoding) {
  const compressed = encoding && encoding !== 'identity';
  const body = compressed ? COMPRESS[encoding](payload) : payload;
  const head = Buffer.alloc(5);
  head[0] = compressed ? 1 : 0;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function rawCall(grpcPath, payloads, encoding) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${TARGET}`);
    session.on('error', reject);
    const headers = {
      ':method': 'POST',
      ':path': grpcPath,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': 'identity,deflate,gzip',
      'grpc-timeout': '10S',
    };
    if (encoding && encoding !== 'identity') headers['grpc-encoding'] = encoding;
    const req = session.request(headers);
    let respHeaders = null;
    let trailers = {};
    const chunks = [];
    req.on('response', (h) => {
      respHeaders = h;
    });
    req.on('trailers', (t) => {
      trailers = t;
    });
    req.on('data', (c) => chunks.push(c));
    req.on('error', (e) => {
      session.close();
      reject(e);
    });
    req.on('end', () => {
      session.close();
      const data = Buffer.concat(chunks);
      const frames = [];
      let off = 0;
      while (off + 5 <= data.length) {
        const flag = data[off];
        const len = data.readUInt32BE(off + 1);
        frames.push({ flag, body: data.subarray(off + 5, off + 5 + len) });
        off += 5 + len;
      }
      if (off !== data.length) return reject(new Error(`trailing garbage in response body (${data.length - off} bytes)`));
      resolve({ headers: respHeaders || {}, trailers, frames });
    });
    for (const p of payloads) req.write(frame(p, encoding));
    req.end();
  });
}

function decodeFrames(res, deserialize) {
  const enc = res.headers['grpc-encoding'] || 'identity';
  return res.frames.map((f) => {
    if (f.flag === 1) {
      assert.ok(DECOMPRESS[enc], `compressed message but response grpc-encoding is ${enc}`);
      return deserialize(DECOMPRESS[enc](f.body));
    }
    assert.equal(f.flag, 0, 'message flag');
    return deserialize(f.body);
  });
}

function grpcStatus(res) {
  return res.trailers['grpc-status'] ?? res.headers['grpc-status'];
}

// --- tests ---------------------------------------------------------------------

describe('grpc-js interop', () => {
  let client;

  before(async () => {
    client = bookstoreClient();
    await new Promise((resolve, reject) =>
      client.waitForReady(deadline(), (err) => (err ? reject(err) : resolve())),
    );
  });

  after(() => client.close());

  describe('the four methods', () => {
    test('GetBook returns the book', async () => {
      const r1 = await unary(client, 'GetBook', { id: '1' });
      assert.deepEqual(r1.value, INITIAL_BOOKS[0]);
      const r3 = await unary(client, 'GetBook', { id: '3' });
      assert.deepEqual(r3.value, INITIAL_BOOKS[2]);
      assert.equal(r3.status.code, grpc.status.OK);
    });

    test('GetBook unknown id is NOT_FOUND "book not found"', async () => {
      await assert.rejects(unary(client, 'GetBook', { id: '424242' }), (err) => {
        assert.equal(err.code, grpc.status.NOT_FOUND);
        assert.equal(err.code, 5);
        assert.equal(err.details, 'book not found');
        return true;
      });
    });

    test('GetBook "123" is the article\'s sample book', async () => {
      const { value } = await unary(client, 'GetBook', { id: '123' });
      assert.deepEqual(value, { id: '123', title: 'A Sample Book', author: 'An Author' });
    });

    test('ListBooks streams the books in the order they were added', async () => {
      const { messages, status } = await collect(client.ListBooks({}, { deadline: deadline() }));
      assert.equal(status.code, grpc.status.OK);
      assert.deepEqual(messages.slice(0, 4), INITIAL_BOOKS);
      const ids = messages.map((b) => b.id);
      assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    });

    test('AddBooks adds the streamed books and returns them', async () => {
      const base = freshId();
      const books = [
        { id: `${base}a`, title: 'Rust in Action', author: 'Tim McNamara' },
        { id: `${base}b`, title: 'Rust for Rustaceans', author: 'Jon Gjengset' },
      ];
      const { value } = await clientStream(client, 'AddBooks', books);
      assert.deepEqual(value.books, books);
      for (const b of books) {
        const { value: got } = await unary(client, 'GetBook', { id: b.id });
        assert.deepEqual(got, b);
      }
      const { messages } = await collect(client.ListBooks({}, { deadline: deadline() }));
      for (const b of books) assert.ok(messages.some((m) => m.id === b.id && m.title === b.title));
    });

    test('AddBooks with an empty stream returns an empty list', async () => {
      const { value } = await clientStream(client, 'AddBooks', []);
      assert.deepEqual(value.books, []);
    });

    test('Chat answers each book with " - Received"', async () => {
      const sent = [
        { id: '7', title: 'A', author: 'X' },
        { id: '8', title: 'B', author: 'Y' },
        { id: '9', title: '', author: '' },
      ];
      const call = client.Chat({ deadline: deadline() });
      const done = collect(call);
      for (const b of sent) call.write(b);
      call.end();
      const { messages } = await done;
      assert.deepEqual(
        messages,
        sent.map((b) => ({ ...b, title: `${b.title} - Received` })),
      );
    });

    test('Chat ping-pong: each reply before the next request', async () => {
      const call = client.Chat({ deadline: deadline() });
      const done = collect(call);
      const replies = [];
      let waiter = null;
      call.on('data', (m) => {
        replies.push(m);
        if (waiter) waiter();
      });
      for (let i = 0; i < 5; i++) {
        const got = new Promise((r) => {
          waiter = r;
        });
        call.write({ id: String(i), title: `t${i}`, author: 'a' });
        await got;
        assert.deepEqual(replies[i], { id: String(i), title: `t${i} - Received`, author: 'a' });
      }
      call.end();
      const { status } = await done;
      assert.equal(status.code, grpc.status.OK);
    });

    test('Greeter.SayHello', async () => {
      const greeter = new proto.helloworld.Greeter(HELLO_TARGET, grpc.credentials.createInsecure());
      try {
        for (const name of ['world', 'oxgrpc', '']) {
          const { value } = await unary(greeter, 'SayHello', { name });
          assert.equal(value.message, `Hello ${name}`);
        }
      } finally {
        greeter.close();
      }
    });
  });

  describe('metadata', () => {
    test('unary: x- metadata echoed (incl. -bin), x-served-by trailer', async () => {
      const { value, metadata, status } = await unary(client, 'GetBook', { id: '2' }, { metadata: sendMetadata() });
      assert.deepEqual(value, INITIAL_BOOKS[1]);
      checkMetadata(metadata, status.metadata);
    });

    test('only x- keys are echoed', async () => {
      const md = new grpc.Metadata();
      md.add('x-one', '1');
      md.add('y-other', '1');
      const { metadata } = await unary(client, 'GetBook', { id: '1' }, { metadata: md });
      assert.deepEqual(metadata.get('x-one'), ['1']);
      assert.deepEqual(metadata.get('y-other'), []);
    });

    test('server streaming', async () => {
      const { messages, metadata, status } = await collect(
        client.ListBooks({}, sendMetadata(), { deadline: deadline() }),
      );
      assert.deepEqual(messages.slice(0, 3), INITIAL_BOOKS);
      checkMetadata(metadata, status.metadata);
    });

    test('client streaming', async () => {
      const b = { id: freshId(), title: 'md', author: 'md' };
      const { value, metadata, status } = await clientStream(client, 'AddBooks', [b], { metadata: sendMetadata() });
      assert.deepEqual(value.books, [b]);
      checkMetadata(metadata, status.metadata);
    });

    test('bidi streaming', async () => {
      const call = client.Chat(sendMetadata(), { deadline: deadline() });
      const done = collect(call);
      call.write({ id: '1', title: 'md', author: '' });
      call.end();
      const { messages, metadata, status } = await done;
      assert.deepEqual(messages, [{ id: '1', title: 'md - Received', author: '' }]);
      checkMetadata(metadata, status.metadata);
    });

    // Whether a failed call's trailers carry x-served-by is not part of the
    // contract; only the status is checked here.
    test('custom metadata on a failed call', async () => {
      await assert.rejects(unary(client, 'GetBook', { id: '424242' }, { metadata: sendMetadata() }), (err) => {
        assert.equal(err.code, grpc.status.NOT_FOUND);
        assert.equal(err.details, 'book not found');
        return true;
      });
    });
  });

  describe('deadlines', () => {
    test('unary deadline expires: DEADLINE_EXCEEDED (4) within 1 s', async () => {
      const start = Date.now();
      await assert.rejects(
        unary(client, 'GetBook', { id: '1' }, { metadata: delayMetadata(2000), deadlineMs: 200 }),
        (err) => {
          assert.equal(err.code, grpc.status.DEADLINE_EXCEEDED);
          assert.equal(err.code, 4);
          return true;
        },
      );
      const elapsed = Date.now() - start;
      assert.ok(elapsed < 1000, `deadline of 200 ms took ${elapsed} ms`);
    });

    // AddBooks with an empty stream (nothing is added) rather than ListBooks
    // or Chat: the cancellation tests look for those methods' "cancelled:"
    // log lines, which a late-logged expired call must not fake.
    test('client-streaming deadline expires: DEADLINE_EXCEEDED (4) within 1 s', async () => {
      const start = Date.now();
      await assert.rejects(clientStream(client, 'AddBooks', [], { metadata: delayMetadata(2000), deadlineMs: 200 }), (err) => {
        assert.equal(err.code, 4);
        return true;
      });
      const elapsed = Date.now() - start;
      assert.ok(elapsed < 1000, `deadline of 200 ms took ${elapsed} ms`);
    });

    test('delay shorter than the deadline succeeds', async () => {
      const start = Date.now();
      const { value } = await unary(client, 'GetBook', { id: '1' }, { metadata: delayMetadata(200), deadlineMs: 5000 });
      assert.deepEqual(value, INITIAL_BOOKS[0]);
      assert.ok(Date.now() - start >= 190);
    });
  });

  describe('cancellation', () => {
    test('ListBooks cancelled after the first message: CANCELLED (1)', async () => {
      const beforeCount = countCancelled('ListBooks');
      const call = client.ListBooks({}, delayMetadata(300), { deadline: deadline() });
      const got = [];
      const err = await new Promise((resolve) => {
        call.on('data', (m) => {
          got.push(m);
          if (got.length === 1) call.cancel();
        });
        call.on('error', resolve);
        call.on('end', () => resolve(null));
      });
      assert.ok(err, 'stream ended without an error after cancel()');
      assert.equal(err.code, grpc.status.CANCELLED);
      assert.equal(err.code, 1);
      assert.deepEqual(got[0], INITIAL_BOOKS[0]);
      await waitCancelLogged('ListBooks', beforeCount);
    });

    test('Chat cancelled midway: CANCELLED (1)', async () => {
      const beforeCount = countCancelled('Chat');
      const call = client.Chat(delayMetadata(300), { deadline: deadline() });
      const got = [];
      const err = await new Promise((resolve) => {
        call.on('data', (m) => {
          got.push(m);
          if (got.length === 1) call.cancel();
        });
        call.on('error', resolve);
        call.on('end', () => resolve(null));
        // Two books, so the server still has a reply pending (300 ms delay)
        // when the cancel arrives. Node's http2 stream.close() (used by
        // grpc-js cancel) half-closes before sending RST_STREAM, so with a
        // single book a server could legitimately finish the call first.
        call.write({ id: '1', title: 'one', author: '' });
        call.write({ id: '2', title: 'two', author: '' });
        // request stream stays open
      });
      assert.ok(err, 'stream ended without an error after cancel()');
      assert.equal(err.code, 1);
      assert.deepEqual(got[0], { id: '1', title: 'one - Received', author: '' });
      await waitCancelLogged('Chat', beforeCount);
    });
  });

  describe('compression', () => {
    for (const [name, alg] of [
      ['gzip', 2],
      ['deflate', 1],
    ]) {
      test(`${name} both ways via grpc.default_compression_algorithm (all methods)`, async () => {
        const c = bookstoreClient({ 'grpc.default_compression_algorithm': alg });
        try {
          const big = 'x'.repeat(4096);
          const { value } = await unary(c, 'GetBook', { id: '1' });
          assert.deepEqual(value, INITIAL_BOOKS[0]);
          const { messages } = await collect(c.ListBooks({}, { deadline: deadline() }));
          assert.deepEqual(messages.slice(0, 3), INITIAL_BOOKS);
          const b = { id: freshId(), title: `${name} ${big}`, author: name };
          const { value: list } = await clientStream(c, 'AddBooks', [b]);
          assert.deepEqual(list.books, [b]);
          const call = c.Chat({ deadline: deadline() });
          const done = collect(call);
          for (let i = 0; i < 3; i++) call.write({ id: String(i), title: big + i, author: 'c' });
          call.end();
          const { messages: replies } = await done;
          assert.deepEqual(
            replies.map((m) => m.title),
            [0, 1, 2].map((i) => `${big}${i} - Received`),
          );
        } finally {
          c.close();
        }
      });
    }

    for (const enc of ['gzip', 'deflate', 'identity']) {
      test(`raw HTTP/2: ${enc} request gets a ${enc} response (GetBook)`, async () => {
        const payload = methods.GetBook.requestSerialize({ id: '1' });
        const res = await rawCall('/bookstore.Bookstore/GetBook', [payload], enc);
        assert.equal(res.headers[':status'], 200);
        assert.equal(grpcStatus(res), '0', `grpc-status (grpc-message: ${res.trailers['grpc-message']})`);
        const books = decodeFrames(res, methods.GetBook.responseDeserialize);
        assert.deepEqual(books, [INITIAL_BOOKS[0]]);
        if (REFERENCE) return; // grpcio handlers cannot see the request's encoding
        const respEnc = res.headers['grpc-encoding'] || 'identity';
        assert.equal(respEnc, enc, 'response grpc-encoding mirrors the request');
      });

      test(`raw HTTP/2: ${enc} Chat with a compressible 64 KiB title`, async () => {
        const title = 'z'.repeat(64 * 1024);
        const payload = methods.Chat.requestSerialize({ id: '3', title, author: 'raw' });
        const res = await rawCall('/bookstore.Bookstore/Chat', [payload, payload], enc);
        assert.equal(grpcStatus(res), '0', `grpc-status (grpc-message: ${res.trailers['grpc-message']})`);
        const books = decodeFrames(res, methods.Chat.responseDeserialize);
        assert.deepEqual(books, [0, 1].map(() => ({ id: '3', title: `${title} - Received`, author: 'raw' })));
        if (REFERENCE) return;
        const respEnc = res.headers['grpc-encoding'] || 'identity';
        assert.equal(respEnc, enc, 'response grpc-encoding mirrors the request');
        const flags = res.frames.map((f) => f.flag);
        assert.deepEqual(flags, enc === 'identity' ? [0, 0] : [1, 1], 'compressed-flag of the response messages');
        if (enc !== 'identity') {
          assert.ok(res.frames[0].body.length < 16 * 1024, 'response message is really compressed');
        }
      });
    }
  });

  describe('errors and sizes', () => {
    test('unknown method is UNIMPLEMENTED (12)', async () => {
      const generic = new grpc.Client(TARGET, grpc.credentials.createInsecure());
      try {
        await assert.rejects(
          new Promise((resolve, reject) =>
            generic.makeUnaryRequest(
              '/bookstore.Bookstore/Nope',
              (x) => x,
              (x) => x,
              Buffer.alloc(0),
              new grpc.Metadata(),
              { deadline: deadline() },
              (err, v) => (err ? reject(err) : resolve(v)),
            ),
          ),
          (err) => {
            assert.equal(err.code, grpc.status.UNIMPLEMENTED);
            assert.equal(err.code, 12);
            return true;
          },
        );
        await assert.rejects(
          new Promise((resolve, reject) =>
            generic.makeUnaryRequest(
              '/nope.Nope/Nothing',
              (x) => x,
              (x) => x,
              Buffer.alloc(0),
              new grpc.Metadata(),
              { deadline: deadline() },
              (err, v) => (err ? reject(err) : resolve(v)),
            ),
          ),
          (err) => err.code === 12,
        );
      } finally {
        generic.close();
      }
    });

    test('1 MiB message round trip (Chat)', async () => {
      const title = 'L'.repeat(1024 * 1024);
      const call = client.Chat({ deadline: deadline() });
      const done = collect(call);
      call.write({ id: '77', title, author: 'big' });
      call.end();
      const { messages } = await done;
      assert.equal(messages.length, 1);
      assert.equal(messages[0].id, '77');
      assert.equal(messages[0].author, 'big');
      assert.ok(messages[0].title === `${title} - Received`, 'title round trip');
    });

    test('500 messages on one stream (Chat)', async () => {
      const call = client.Chat({ deadline: deadline() });
      const done = collect(call);
      for (let i = 0; i < 500; i++) call.write({ id: String(i), title: `n${i}`, author: '' });
      call.end();
      const { messages } = await done;
      assert.deepEqual(
        messages.map((m) => m.title),
        Array.from({ length: 500 }, (_, i) => `n${i} - Received`),
      );
    });

    test('50 concurrent unary calls', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => unary(client, 'GetBook', { id: String(1 + (i % 3)) })),
      );
      results.forEach((r, i) => assert.deepEqual(r.value, INITIAL_BOOKS[i % 3]));
    });
  });
});
