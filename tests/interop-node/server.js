'use strict';
// A gRPC server for the interop tests, built on @grpc/grpc-js: an implementation of gRPC that
// shares no code with Cauchy's own runtime. It implements cauchy.interop.v1.Echo exactly as the
// C# test service does (see interop.proto for what each request field asks for).
//
//   node server.js [--host 127.0.0.1] [--port 0] [--max-receive-size BYTES]
//                  [--max-send-size BYTES] [--max-concurrent-streams N] [--compression gzip]
//                  [--exit-with-stdin]
//
// Environment variables INTEROP_MAX_RECEIVE_SIZE, INTEROP_MAX_SEND_SIZE,
// INTEROP_MAX_CONCURRENT_STREAMS and INTEROP_COMPRESSION are read when the option is absent.
// The first line on stdout is `LISTENING <port>`. The process exits on SIGTERM or SIGINT, and
// with --exit-with-stdin also when its stdin closes (so a test host that dies takes it along).
//
// --compression gzip: grpc-js (1.14) servers never compress responses (they always write a
// compressed-flag of 0), so with this option the process serves Echo/Unary and
// Echo/ServerStream through a deliberately minimal responder written directly on node:http2
// and zlib instead: every even-indexed response message is gzip-compressed (flag 1) and every
// odd-indexed one is not, which is what the gRPC wire format allows per message.

const http2 = require('node:http2');
const zlib = require('node:zlib');
const {
  grpc, proto, echoMethods, wireHeadersOf, patternBytes, STATUS_DETAILS_KEY, encodeBadRequestStatus,
} = require('./common');

const Status = grpc.status;

function parseOptions(argv) {
  const options = {
    host: '127.0.0.1',
    port: 0,
    maxReceiveSize: numberOrUndefined(process.env.INTEROP_MAX_RECEIVE_SIZE),
    maxSendSize: numberOrUndefined(process.env.INTEROP_MAX_SEND_SIZE),
    maxConcurrentStreams: numberOrUndefined(process.env.INTEROP_MAX_CONCURRENT_STREAMS),
    compression: process.env.INTEROP_COMPRESSION || 'identity',
    exitWithStdin: false,
  };
  for (let i = 2; i < argv.length; i++) {
    const name = argv[i];
    const value = argv[i + 1];
    switch (name) {
      case '--host': options.host = value; i++; break;
      case '--port': options.port = Number(value); i++; break;
      case '--max-receive-size': options.maxReceiveSize = Number(value); i++; break;
      case '--max-send-size': options.maxSendSize = Number(value); i++; break;
      case '--max-concurrent-streams': options.maxConcurrentStreams = Number(value); i++; break;
      case '--compression': options.compression = value; i++; break;
      case '--exit-with-stdin': options.exitWithStdin = true; break;
      default:
        console.error(`unknown option ${name}`);
        process.exit(2);
    }
  }
  if (options.compression !== 'identity' && options.compression !== 'gzip') {
    console.error(`unsupported --compression ${options.compression} (identity or gzip)`);
    process.exit(2);
  }
  return options;
}

function numberOrUndefined(text) {
  return text === undefined || text === '' ? undefined : Number(text);
}

// ---------------------------------------------------------------------------------------------
// What the server remembers about calls (for GetCallState) and about concurrency.

const callStates = new Map();
const barriers = new Map();
let inFlight = 0;
let maxInFlight = 0;

class CallContext {
  constructor(call) {
    this.call = call;
    this.record = null;
    this.cancelled = false;
    // Set just before the handler sends its status: grpc-js emits 'cancelled' after every
    // call ends, even a successful one, so only a 'cancelled' before that point counts.
    this.statusSent = false;
    this.finished = false;
    this.cancelListeners = new Set();
    this.sent = 0;
    this.received = 0;
    this.deadlineRemainingMs = deadlineRemainingMs(call);
    this.wire = wireHeadersOf(call.metadata);
    this.http2Stream = http2StreamOf(call);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    call.on('cancelled', () => {
      if (this.statusSent || this.cancelled) return;
      this.cancelled = true;
      if (this.record) this.record.cancelled = true;
      for (const listener of [...this.cancelListeners]) listener();
    });
    if (this.http2Stream) {
      this.http2Stream.once('close', () => {
        if (this.record) this.record.rst_code = this.http2Stream.rstCode;
      });
    }
  }

  attach(callId) {
    if (!callId || this.record) return;
    this.record = {
      known: true,
      finished: false,
      cancelled: this.cancelled,
      deadline_remaining_ms: this.deadlineRemainingMs,
      messages_received: this.received,
      messages_sent: this.sent,
      rst_code: -1,
      waiters: [],
    };
    if (this.http2Stream && this.http2Stream.closed) this.record.rst_code = this.http2Stream.rstCode;
    callStates.set(callId, this.record);
  }

  countReceived() {
    this.received++;
    if (this.record) this.record.messages_received = this.received;
  }

  countSent() {
    this.sent++;
    if (this.record) this.record.messages_sent = this.sent;
  }

  // Resolves true when cancelled before `ms` elapsed.
  pause(ms) {
    if (this.cancelled) return Promise.resolve(true);
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onCancel = () => {
        clearTimeout(timer);
        this.cancelListeners.delete(onCancel);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.cancelListeners.delete(onCancel);
        resolve(false);
      }, ms);
      this.cancelListeners.add(onCancel);
    });
  }

  finish() {
    if (this.finished) return;
    this.finished = true;
    inFlight--;
    if (this.record) {
      this.record.finished = true;
      // The stream's close event (with the client's RST_STREAM code) can trail the handler.
      setTimeout(() => {
        for (const wake of this.record.waiters.splice(0)) wake();
      }, 20);
    }
  }
}

function deadlineRemainingMs(call) {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return -1;
  return Math.max(0, at - Date.now());
}

// grpc-js has no public API to reset a stream with a chosen HTTP/2 error code; the handler's
// call object leads to the underlying node:http2 stream through its internal call chain.
function http2StreamOf(call) {
  let node = call.call;
  for (let depth = 0; node && depth < 10; depth++) {
    if (node.stream && typeof node.stream.close === 'function' && 'rstCode' in node.stream) {
      return node.stream;
    }
    node = node.nextCall;
  }
  return null;
}

async function holdAtBarrier(context, request) {
  if (!request.barrier_id || request.barrier_count <= 1) return null;
  let barrier = barriers.get(request.barrier_id);
  if (!barrier) {
    let release;
    const opened = new Promise((resolve) => { release = resolve; });
    barrier = { arrived: 0, opened, release };
    barriers.set(request.barrier_id, barrier);
  }
  barrier.arrived++;
  if (barrier.arrived >= request.barrier_count) barrier.release();
  let timer;
  const outcome = await Promise.race([
    barrier.opened.then(() => 'open'),
    new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), 10000); }),
    context.pause(10500).then((cancelled) => (cancelled ? 'cancelled' : 'timeout')),
  ]);
  clearTimeout(timer);
  if (outcome === 'open') return null;
  if (outcome === 'cancelled') return 'cancelled';
  return {
    code: Status.ABORTED,
    details: `barrier ${request.barrier_id}: only ${barrier.arrived} of ${request.barrier_count} calls were in flight at once`,
  };
}

// Echoes x-echo-* request metadata: returns [headers, trailers].
function echoMetadata(request, requestMetadata) {
  const headers = new grpc.Metadata();
  const trailers = new grpc.Metadata();
  if (!request.echo_metadata) return [headers, trailers];
  for (const key of Object.keys(requestMetadata.getMap())) {
    if (!key.startsWith('x-echo-')) continue;
    const trailerKey = 'x-trailer-' + key.substring('x-echo-'.length);
    for (const value of requestMetadata.get(key)) {
      headers.add(key, value);
      trailers.add(trailerKey, value);
    }
  }
  return [headers, trailers];
}

function makeResponse(context, request, index) {
  return {
    message: request.message,
    payload: request.response_size > 0 ? patternBytes(request.response_size, index) : request.payload,
    index,
    received_count: context.received,
    received_bytes: 0,
    deadline_remaining_ms: context.deadlineRemainingMs,
    peer: context.call.getPeer(),
    request_grpc_timeout: context.wire.grpcTimeout,
    request_grpc_encoding: context.wire.grpcEncoding,
    max_in_flight: maxInFlight,
  };
}

function failureOf(request, trailers) {
  if (request.throw_exception) return new Error('the handler failed on purpose (throw_exception)');
  if (request.status_code !== 0) {
    if (request.status_details) {
      // grpc-js has no rich-status API: the serialized google.rpc.Status is an ordinary binary
      // trailer, sent along with the echoed ones.
      trailers.set(STATUS_DETAILS_KEY, encodeBadRequestStatus(request.status_code, request.status_message,
        [{ field: 'message', description: request.message }]));
    }
    return { code: request.status_code, details: request.status_message, metadata: trailers };
  }
  return null;
}

function wantsFailure(request) {
  return request.throw_exception || request.status_code !== 0 || request.abort_with_rst_code !== 0;
}

function resetStream(context, code) {
  context.statusSent = true;
  if (context.http2Stream) {
    context.http2Stream.close(code);
  } else {
    context.call.emit('error', { code: Status.INTERNAL, details: 'cannot reach the HTTP/2 stream to reset it' });
  }
}

async function drained(http2Stream) {
  const until = Date.now() + 2000;
  while (http2Stream && http2Stream.writableLength > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The client must also have read them: .NET's HTTP/2 client drops response data it has buffered but not yet handed
  // to the reader when the reset arrives, and on a loaded machine the reader can lag by tens of milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

function writeAsync(context, message) {
  const call = context.call;
  return new Promise((resolve) => {
    if (call.write(message)) {
      resolve();
    } else {
      call.once('drain', resolve);
      context.cancelListeners.add(resolve);
    }
  }).then(() => context.countSent());
}

// ---------------------------------------------------------------------------------------------
// Handlers

async function unary(call, callback) {
  const context = new CallContext(call);
  const request = call.request;
  context.attach(request.call_id);
  context.countReceived();
  try {
    const barrierFailure = await holdAtBarrier(context, request);
    if (barrierFailure === 'cancelled') return;
    if (barrierFailure) {
      context.statusSent = true;
      callback(barrierFailure);
      return;
    }
    if (await context.pause(request.delay_ms)) return;
    const [headers, trailers] = echoMetadata(request, call.metadata);
    if (request.echo_metadata) call.sendMetadata(headers);
    if (request.abort_with_rst_code !== 0) {
      resetStream(context, request.abort_with_rst_code);
      return;
    }
    const failure = failureOf(request, trailers);
    context.statusSent = true;
    if (failure) {
      callback(failure, null, trailers);
    } else {
      context.countSent();
      callback(null, makeResponse(context, request, 0), trailers);
    }
  } finally {
    context.finish();
  }
}

async function serverStream(call) {
  const context = new CallContext(call);
  const request = call.request;
  context.attach(request.call_id);
  context.countReceived();
  try {
    const barrierFailure = await holdAtBarrier(context, request);
    if (barrierFailure === 'cancelled') return;
    if (barrierFailure) {
      context.statusSent = true;
      call.emit('error', barrierFailure);
      return;
    }
    const [headers, trailers] = echoMetadata(request, call.metadata);
    if (request.echo_metadata) call.sendMetadata(headers);
    const count = Math.max(request.response_count, 1);
    const failing = wantsFailure(request);
    for (let index = 0; index < count; index++) {
      if (failing && index === request.fail_after_responses) break;
      if (await context.pause(request.delay_ms)) return;
      if (context.cancelled) return;
      await writeAsync(context, makeResponse(context, request, index));
    }
    if (context.cancelled) return;
    await finishStream(context, request, trailers);
  } finally {
    context.finish();
  }
}

async function finishStream(context, request, trailers) {
  if (request.abort_with_rst_code !== 0) {
    // Let the responses already written reach the client before the reset: nghttp2 drops DATA
    // still queued for a stream when it resets it.
    await drained(context.http2Stream);
    resetStream(context, request.abort_with_rst_code);
    return;
  }
  const failure = failureOf(request, trailers);
  context.statusSent = true;
  if (failure) {
    context.call.emit('error', failure);
  } else {
    context.call.end(trailers);
  }
}

function clientStream(call, callback) {
  const context = new CallContext(call);
  let first = null;
  let receivedBytes = 0;
  let responding = false;
  call.on('data', (request) => {
    if (!first) {
      first = request;
      context.attach(request.call_id);
    }
    context.countReceived();
    receivedBytes += request.payload.length;
  });
  call.on('cancelled', () => {
    if (!responding) context.finish();
  });
  call.on('end', async () => {
    if (context.cancelled) return;
    responding = true;
    const request = first || emptyRequest();
    try {
      if (await context.pause(request.delay_ms)) return;
      const [headers, trailers] = echoMetadata(request, call.metadata);
      if (request.echo_metadata) call.sendMetadata(headers);
      if (request.abort_with_rst_code !== 0) {
        resetStream(context, request.abort_with_rst_code);
        return;
      }
      const failure = failureOf(request, trailers);
      context.statusSent = true;
      if (failure) {
        callback(failure, null, trailers);
        return;
      }
      const response = makeResponse(context, request, 0);
      response.received_bytes = receivedBytes;
      context.countSent();
      callback(null, response, trailers);
    } finally {
      context.finish();
    }
  });
}

function duplex(call) {
  const context = new CallContext(call);
  let index = 0;
  let trailers = new grpc.Metadata();
  let first = true;
  let queue = Promise.resolve();

  async function answer(request) {
    if (context.statusSent || context.cancelled) return;
    context.countReceived();
    if (first) {
      first = false;
      context.attach(request.call_id);
      const [headers, echoedTrailers] = echoMetadata(request, call.metadata);
      trailers = echoedTrailers;
      if (request.echo_metadata) call.sendMetadata(headers);
    }
    const count = Math.max(request.response_count, 1);
    const failing = wantsFailure(request);
    for (let i = 0; i < count; i++) {
      if (failing && i === request.fail_after_responses) break;
      if (await context.pause(request.delay_ms)) return;
      if (context.cancelled) return;
      await writeAsync(context, makeResponse(context, request, index++));
    }
    if (failing && !context.cancelled) await finishStream(context, request, trailers);
  }

  call.on('data', (request) => {
    queue = queue.then(() => answer(request));
  });
  call.on('end', () => {
    queue = queue.then(() => {
      if (!context.statusSent && !context.cancelled) {
        context.statusSent = true;
        call.end(trailers);
      }
    }).finally(() => context.finish());
  });
  call.on('cancelled', () => {
    queue.finally(() => context.finish());
  });
}

function emptyRequest() {
  return echoMethods.Unary.requestDeserialize(Buffer.alloc(0));
}

async function getCallState(call, callback) {
  const { call_id: callId, wait_ms: waitMs } = call.request;
  const record = callStates.get(callId);
  if (!record) {
    callback(null, { known: false });
    return;
  }
  if (!record.finished && waitMs > 0) {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      record.waiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }
  const { waiters, ...state } = record;
  callback(null, state);
}

// ---------------------------------------------------------------------------------------------
// The minimal gzip responder (see the header comment).

function startGzipResponder(options) {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    const method = path === '/cauchy.interop.v1.Echo/Unary' ? 'Unary'
      : path === '/cauchy.interop.v1.Echo/ServerStream' ? 'ServerStream' : null;
    const trailersOnly = (code, message) => stream.respond({
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(code),
      'grpc-message': encodeURIComponent(message),
    }, { endStream: true });
    if (!method) {
      stream.resume();
      trailersOnly(Status.UNIMPLEMENTED, `the gzip responder implements Unary and ServerStream only, not ${path}`);
      return;
    }
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length < 5 || body.length !== 5 + body.readUInt32BE(1)) {
        trailersOnly(Status.INTERNAL, `expected exactly one length-prefixed message, got ${body.length} bytes`);
        return;
      }
      let messageBytes = body.subarray(5);
      const requestCompressed = body[0] === 1;
      if (requestCompressed) {
        if (headers['grpc-encoding'] !== 'gzip') {
          trailersOnly(Status.UNIMPLEMENTED, `compressed message with grpc-encoding ${headers['grpc-encoding']}`);
          return;
        }
        messageBytes = zlib.gunzipSync(messageBytes);
      }
      const accepted = String(headers['grpc-accept-encoding'] || '').split(',').map((s) => s.trim());
      if (!accepted.includes('gzip')) {
        trailersOnly(Status.FAILED_PRECONDITION,
          `the client did not list gzip in grpc-accept-encoding ("${headers['grpc-accept-encoding'] || ''}"), so a server may not compress`);
        return;
      }
      const request = echoMethods.Unary.requestDeserialize(messageBytes);
      stream.respond({
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-encoding': 'gzip',
        'grpc-accept-encoding': 'gzip',
      }, { waitForTrailers: true });
      const count = method === 'Unary' ? 1 : Math.max(request.response_count, 1);
      for (let index = 0; index < count; index++) {
        const response = {
          message: request.message,
          payload: request.response_size > 0 ? patternBytes(request.response_size, index) : request.payload,
          index,
          deadline_remaining_ms: -1,
          peer: `${stream.session.socket.remoteAddress}:${stream.session.socket.remotePort}`,
          request_grpc_timeout: String(headers['grpc-timeout'] || ''),
          request_grpc_encoding: String(headers['grpc-encoding'] || ''),
          request_compressed: requestCompressed,
        };
        const plain = echoMethods.Unary.responseSerialize(response);
        const compress = index % 2 === 0;
        const data = compress ? zlib.gzipSync(plain) : plain;
        const prefix = Buffer.alloc(5);
        prefix[0] = compress ? 1 : 0;
        prefix.writeUInt32BE(data.length, 1);
        stream.write(Buffer.concat([prefix, data]));
      }
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
      stream.end();
    });
  });
  server.listen(options.port, options.host, () => {
    process.stdout.write(`LISTENING ${server.address().port}\n`);
  });
  return () => server.close();
}

// ---------------------------------------------------------------------------------------------

function startGrpcServer(options) {
  const serverOptions = {};
  if (options.maxReceiveSize !== undefined) serverOptions['grpc.max_receive_message_length'] = options.maxReceiveSize;
  if (options.maxSendSize !== undefined) serverOptions['grpc.max_send_message_length'] = options.maxSendSize;
  if (options.maxConcurrentStreams !== undefined) serverOptions['grpc.max_concurrent_streams'] = options.maxConcurrentStreams;
  const server = new grpc.Server(serverOptions);
  server.addService(proto.Echo.service, {
    Unary: unary,
    ServerStream: serverStream,
    ClientStream: clientStream,
    Duplex: duplex,
    GetCallState: getCallState,
  });
  server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
      console.error(`bind failed: ${error.message}`);
      process.exit(1);
    }
    process.stdout.write(`LISTENING ${port}\n`);
  });
  return () => server.forceShutdown();
}

const options = parseOptions(process.argv);
const stop = options.compression === 'gzip' ? startGzipResponder(options) : startGrpcServer(options);

function shutdown() {
  stop();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (options.exitWithStdin) {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
