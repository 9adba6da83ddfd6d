'use strict';
// A gRPC client for the interop tests, built on @grpc/grpc-js. Runs named scenarios against a
// server that implements cauchy.interop.v1.Echo and prints one JSON line per scenario:
//
//   {"scenario":"unary","ok":true,"elapsed_ms":12,"details":{...}}
//   {"scenario":"unary","ok":false,"elapsed_ms":12,"error":"what was expected and what came"}
//
//   node client.js --address 127.0.0.1:PORT --scenario unary[,server_stream...]|all
//   node client.js --list
//
// Every scenario checks its own expectations; the exit code is 1 when any scenario failed and
// 2 for a usage error. Scenarios run one after another, each on a fresh channel.

const crypto = require('node:crypto');
const {
  grpc, proto, echoMethods, wireHeadersOf, patternBytes, varintLength,
  STATUS_DETAILS_KEY, BAD_REQUEST_TYPE_URL, decodeRpcStatus, decodeBadRequest,
} = require('./common');

const Status = grpc.status;
const statusName = (code) => Object.keys(Status).find((name) => Status[name] === code) || String(code);
const DEFAULT_LIMIT = 4 * 1024 * 1024;
const SCENARIO_TIMEOUT_MS = 30000;
// Scenarios that need a particular kind of server, left out of "all".
const SERVER_SPECIFIC = ['gzip_response', 'deflate_request_rejected', 'metadata_multi_value_binary_refused', 'metadata_empty_binary'];

// ---------------------------------------------------------------------------------------------
// Small call helpers: each resolves (never rejects) with everything the call produced.

function callOptions(deadlineMs) {
  return deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + deadlineMs) };
}

function unaryCall(client, request, { metadata, deadlineMs, method = 'Unary' } = {}) {
  return new Promise((resolve) => {
    const result = { response: null, error: null, headers: null, trailers: null, status: null };
    const call = client[method](request, metadata || new grpc.Metadata(), callOptions(deadlineMs), (error, response) => {
      result.error = error;
      result.response = response;
    });
    call.on('metadata', (headers) => { result.headers = headers; });
    call.on('status', (status) => {
      result.status = status;
      result.trailers = status.metadata;
      resolve(result);
    });
  });
}

function serverStreamCall(client, request, { metadata, deadlineMs, onData } = {}) {
  return new Promise((resolve) => {
    const result = { responses: [], error: null, headers: null, trailers: null, status: null };
    const call = client.ServerStream(request, metadata || new grpc.Metadata(), callOptions(deadlineMs));
    call.on('metadata', (headers) => { result.headers = headers; });
    call.on('data', (response) => {
      result.responses.push(response);
      if (onData) onData(call, response, result.responses.length);
    });
    call.on('error', (error) => { result.error = error; });
    call.on('status', (status) => {
      result.status = status;
      result.trailers = status.metadata;
      resolve(result);
    });
  });
}

function openClientStream(client, { metadata, deadlineMs } = {}) {
  const result = { response: null, error: null, headers: null, trailers: null, status: null };
  let call;
  const done = new Promise((resolve) => {
    call = client.ClientStream(metadata || new grpc.Metadata(), callOptions(deadlineMs), (error, response) => {
      result.error = error;
      result.response = response;
    });
    call.on('metadata', (headers) => { result.headers = headers; });
    call.on('status', (status) => {
      result.status = status;
      result.trailers = status.metadata;
      resolve(result);
    });
  });
  return { call, done };
}

function openDuplex(client, { metadata, deadlineMs } = {}) {
  const result = { responses: [], error: null, headers: null, trailers: null, status: null };
  const waiting = [];
  const call = client.Duplex(metadata || new grpc.Metadata(), callOptions(deadlineMs));
  call.on('metadata', (headers) => { result.headers = headers; });
  call.on('data', (response) => {
    result.responses.push(response);
    const waiter = waiting.shift();
    if (waiter) waiter();
  });
  call.on('error', (error) => { result.error = error; });
  const done = new Promise((resolve) => {
    call.on('status', (status) => {
      result.status = status;
      result.trailers = status.metadata;
      for (const waiter of waiting.splice(0)) waiter();
      resolve(result);
    });
  });
  // Resolves once `count` responses have arrived in total (or the call ended).
  const responsesReach = (count) => new Promise((resolve) => {
    const check = () => {
      if (result.responses.length >= count || result.status) resolve();
      else waiting.push(check);
    };
    check();
  });
  return { call, done, result, responsesReach };
}

function callState(client, callId, waitMs) {
  return unaryCall(client, { call_id: callId, wait_ms: waitMs }, { method: 'GetCallState' }).then((result) => {
    if (result.error) throw new Error(`GetCallState(${callId}) failed: ${describeError(result.error)}`);
    return result.response;
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function newCallId(prefix) {
  return `${prefix}-${crypto.randomUUID()}`;
}

// A request whose serialized size is exactly `target` bytes (payload grows to fill it).
function requestOfSize(target, fields = {}) {
  const base = echoMethods.Unary.requestSerialize({ ...fields }).length;
  let payloadLength = target - base - 1 - 1;
  while (base + 1 + varintLength(payloadLength) + payloadLength > target) payloadLength--;
  const request = { ...fields, payload: patternBytes(payloadLength, 7) };
  const size = echoMethods.Unary.requestSerialize(request).length;
  if (size !== target) throw new Error(`could not build a ${target}-byte request (got ${size})`);
  return request;
}

// ---------------------------------------------------------------------------------------------
// Expectations

class ScenarioFailure extends Error {}

function expect(condition, message) {
  if (!condition) throw new ScenarioFailure(typeof message === 'function' ? message() : message);
}

function describeError(error) {
  if (!error) return 'no error';
  return `${statusName(error.code)} (${error.code}): ${JSON.stringify(error.details)}`;
}

function expectOk(result, what) {
  expect(!result.error && result.status && result.status.code === Status.OK,
    () => `${what}: expected OK, got ${describeError(result.error || result.status)}`);
}

function expectStatus(result, code, what) {
  const got = result.error || result.status;
  expect(got && got.code === code,
    () => `${what}: expected ${statusName(code)}, got ${got ? describeError(got) : 'no status'}`);
}

function expectBytes(actual, expected, what) {
  expect(Buffer.isBuffer(actual) && actual.equals(expected),
    () => `${what}: expected ${expected.length} bytes ${expected.subarray(0, 16).toString('hex')}…, ` +
      `got ${actual ? actual.length : 'none'} bytes ${actual ? Buffer.from(actual).subarray(0, 16).toString('hex') : ''}…`);
}

function expectEqual(actual, expected, what) {
  expect(actual === expected, () => `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ---------------------------------------------------------------------------------------------
// Scenarios. Each takes (client, env) and returns details for the JSON line.

const scenarios = {};

scenarios.unary = async (client) => {
  const callId = newCallId('unary');
  const payload = patternBytes(1000, 1);
  const result = await unaryCall(client, { message: 'hello from grpc-js', payload, call_id: callId });
  expectOk(result, 'Unary');
  expectEqual(result.response.message, 'hello from grpc-js', 'response message');
  expectBytes(result.response.payload, payload, 'response payload');
  expect(result.response.peer.length > 0, 'the server reported no peer');
  const state = await callState(client, callId, 2000);
  expect(state.known && state.finished, () => `call state: expected a finished call, got ${JSON.stringify(state)}`);
  expect(!state.cancelled, () => `a call that completed normally was reported as cancelled: ${JSON.stringify(state)}`);
  const empty = await unaryCall(client, {});
  expectOk(empty, 'Unary with an empty (zero-byte) request');
  expectEqual(empty.response.message, '', 'empty request: response message');
  return { peer: result.response.peer, state };
};

scenarios.server_stream = async (client) => {
  const result = await serverStreamCall(client, { message: 'stream', response_count: 5, response_size: 1000 });
  expectOk(result, 'ServerStream');
  expectEqual(result.responses.length, 5, 'number of responses');
  result.responses.forEach((response, i) => {
    expectEqual(response.index, i, `response ${i} index`);
    expectBytes(response.payload, patternBytes(1000, i), `response ${i} payload`);
  });
  // Larger than the default HTTP/2 flow-control window, so WINDOW_UPDATEs must work.
  const large = await serverStreamCall(client, { response_count: 3, response_size: 1024 * 1024 });
  expectOk(large, 'ServerStream with 1 MiB responses');
  expectEqual(large.responses.length, 3, 'number of 1 MiB responses');
  large.responses.forEach((response, i) => expectBytes(response.payload, patternBytes(1024 * 1024, i), `1 MiB response ${i}`));
  return { responses: result.responses.length, large_responses: large.responses.length };
};

scenarios.client_stream = async (client) => {
  const small = openClientStream(client);
  for (let i = 0; i < 10; i++) small.call.write({ message: `part ${i}`, payload: patternBytes(100, i) });
  small.call.end();
  const result = await small.done;
  expectOk(result, 'ClientStream');
  expectEqual(result.response.received_count, 10, 'received_count');
  expectEqual(result.response.received_bytes, 1000, 'received_bytes');
  expectEqual(result.response.message, 'part 0', 'response message (from the first request)');

  const large = openClientStream(client);
  for (let i = 0; i < 6; i++) large.call.write({ payload: patternBytes(512 * 1024, i) });
  large.call.end();
  const largeResult = await large.done;
  expectOk(largeResult, 'ClientStream with 512 KiB requests');
  expectEqual(largeResult.response.received_bytes, 6 * 512 * 1024, 'received_bytes of 512 KiB requests');

  const none = openClientStream(client);
  none.call.end();
  const noneResult = await none.done;
  expectOk(noneResult, 'ClientStream with no requests');
  expectEqual(noneResult.response.received_count, 0, 'received_count with no requests');
  return { received_count: result.response.received_count };
};

scenarios.duplex_ping_pong = async (client) => {
  const duplex = openDuplex(client);
  for (let i = 0; i < 5; i++) {
    duplex.call.write({ message: `ping ${i}` });
    // The next ping goes out only after this pong came back: true interleaving.
    await duplex.responsesReach(i + 1);
    expect(duplex.result.responses.length === i + 1,
      () => `round ${i}: expected ${i + 1} responses, got ${duplex.result.responses.length} (status ${describeError(duplex.result.status)})`);
    expectEqual(duplex.result.responses[i].message, `ping ${i}`, `pong ${i} message`);
    expectEqual(duplex.result.responses[i].index, i, `pong ${i} index`);
  }
  duplex.call.end();
  const result = await duplex.done;
  expectOk(result, 'Duplex');
  expectEqual(result.responses.length, 5, 'responses after the client half-closed');

  const bulk = openDuplex(client);
  for (let i = 0; i < 20; i++) bulk.call.write({ message: `bulk ${i}`, response_count: 2, response_size: 300 });
  bulk.call.end();
  const bulkResult = await bulk.done;
  expectOk(bulkResult, 'Duplex (20 requests, 2 responses each)');
  expectEqual(bulkResult.responses.length, 40, 'bulk responses');
  bulkResult.responses.forEach((response, i) => expectEqual(response.message, `bulk ${Math.floor(i / 2)}`, `bulk response ${i}`));
  return { rounds: 5, bulk_responses: bulkResult.responses.length };
};

scenarios.deadline_exceeded = async (client) => {
  const callId = newCallId('deadline');
  const started = Date.now();
  // 1 s leaves a busy machine time to start the handler before the deadline passes.
  const result = await unaryCall(client, { delay_ms: 5000, call_id: callId }, { deadlineMs: 1000 });
  const elapsed = Date.now() - started;
  expectStatus(result, Status.DEADLINE_EXCEEDED, 'Unary with delay 5000 ms and a 1000 ms deadline');
  expect(elapsed < 4000, () => `DEADLINE_EXCEEDED took ${elapsed} ms for a 1000 ms deadline`);
  const state = await callState(client, callId, 3000);
  expect(state.known, `the server never saw call ${callId}`);
  expect(state.cancelled, () => `the server did not observe the deadline as a cancellation: ${JSON.stringify(state)}`);
  expect(state.finished, () => `the handler had not returned 3 s after the deadline: ${JSON.stringify(state)}`);

  const streamId = newCallId('deadline-stream');
  const stream = await serverStreamCall(client, { response_count: 100, delay_ms: 50, call_id: streamId }, { deadlineMs: 1000 });
  expectStatus(stream, Status.DEADLINE_EXCEEDED, 'ServerStream (100 × 50 ms) with a 1000 ms deadline');
  expect(stream.responses.length > 0 && stream.responses.length < 100,
    () => `expected some but not all responses before the deadline, got ${stream.responses.length}`);
  const streamState = await callState(client, streamId, 3000);
  expect(streamState.cancelled, () => `the server did not observe the streaming deadline: ${JSON.stringify(streamState)}`);
  return { elapsed_ms: elapsed, state, stream_responses: stream.responses.length, stream_state: streamState };
};

scenarios.deadline_propagation = async (client) => {
  const cases = [
    { name: '5 s', ms: 5000 },
    { name: '2 h', ms: 2 * 3600 * 1000 },
    { name: '20 days', ms: 20 * 24 * 3600 * 1000 },
  ];
  const seen = [];
  for (const c of cases) {
    const result = await unaryCall(client, { message: c.name }, { deadlineMs: c.ms });
    expectOk(result, `Unary with a ${c.name} deadline`);
    const remaining = result.response.deadline_remaining_ms;
    const timeout = result.response.request_grpc_timeout;
    // grpc-js rounds the timeout up to its unit, so allow a little above, and the time the call
    // took (generously) below.
    const low = c.ms - 3000 - c.ms * 0.001;
    const high = c.ms + 1500;
    expect(remaining >= low && remaining <= high,
      () => `${c.name} deadline: the server saw ${remaining} ms remaining (grpc-timeout "${timeout}"), expected ${Math.round(low)}..${high}`);
    if (timeout !== '') {
      expect(/^\d{1,8}[HMSmun]$/.test(timeout), () => `${c.name}: grpc-timeout "${timeout}" is not 1-8 digits and a unit`);
    }
    seen.push({ deadline: c.name, remaining_ms: remaining, grpc_timeout: timeout });
  }
  const none = await unaryCall(client, { message: 'no deadline' });
  expectOk(none, 'Unary without a deadline');
  expectEqual(none.response.deadline_remaining_ms, -1, 'deadline_remaining_ms without a deadline');
  return { seen };
};

async function cancelAndCheck(client, callId, what) {
  const state = await callState(client, callId, 3000);
  expect(state.known, `${what}: the server never saw call ${callId}`);
  expect(state.cancelled, () => `${what}: the server did not observe the cancellation: ${JSON.stringify(state)}`);
  expect(state.finished, () => `${what}: the handler had not returned 3 s after the cancellation: ${JSON.stringify(state)}`);
  return state;
}

scenarios.cancel_server_stream = async (client) => {
  const callId = newCallId('cancel-ss');
  const result = await serverStreamCall(client, { response_count: 1000, delay_ms: 20, call_id: callId }, {
    onData: (call, response, count) => { if (count === 3) call.cancel(); },
  });
  expectStatus(result, Status.CANCELLED, 'ServerStream cancelled by the client after 3 responses');
  const state = await cancelAndCheck(client, callId, 'ServerStream');
  expect(state.messages_sent < 1000, () => `the server sent all ${state.messages_sent} responses despite the cancellation`);
  return { responses: result.responses.length, state };
};

scenarios.cancel_client_stream = async (client) => {
  const callId = newCallId('cancel-cs');
  const stream = openClientStream(client);
  // The first request asks for a slow answer, so the handler is still busy when the cancellation
  // arrives (grpc-js may half-close the stream just before it resets it).
  for (let i = 0; i < 3; i++) stream.call.write({ call_id: callId, message: `part ${i}`, delay_ms: 5000 });
  // Cancel only once the server has seen the three messages (so the handler is running).
  const until = Date.now() + 5000;
  let state;
  do {
    await sleep(20);
    state = await callState(client, callId, 0);
  } while ((!state.known || state.messages_received < 3) && Date.now() < until);
  expect(state.known && state.messages_received === 3, () => `the server did not receive the 3 messages: ${JSON.stringify(state)}`);
  stream.call.cancel();
  const result = await stream.done;
  expectStatus(result, Status.CANCELLED, 'ClientStream cancelled by the client');
  return { state: await cancelAndCheck(client, callId, 'ClientStream') };
};

scenarios.cancel_duplex = async (client) => {
  const callId = newCallId('cancel-dx');
  const duplex = openDuplex(client);
  duplex.call.write({ call_id: callId, message: 'first', response_count: 1000, delay_ms: 20 });
  await duplex.responsesReach(1);
  expectEqual(duplex.result.responses.length, 1, 'responses before the cancellation');
  duplex.call.cancel();
  const result = await duplex.done;
  expectStatus(result, Status.CANCELLED, 'Duplex cancelled by the client');
  const state = await cancelAndCheck(client, callId, 'Duplex');
  expect(state.messages_sent < 1000, () => `the server sent all ${state.messages_sent} responses despite the cancellation`);
  return { state };
};

scenarios.server_status_after_messages = async (client) => {
  const result = await serverStreamCall(client, {
    response_count: 10, fail_after_responses: 3, status_code: Status.ABORTED, status_message: 'stopped after 3',
  });
  expectStatus(result, Status.ABORTED, 'ServerStream failing after 3 responses');
  expectEqual(result.error.details, 'stopped after 3', 'status message');
  expectEqual(result.responses.length, 3, 'responses before the status');
  return { responses: result.responses.length };
};

scenarios.server_reset_stream = async (client) => {
  const result = await serverStreamCall(client, { response_count: 10, fail_after_responses: 2, abort_with_rst_code: 8 });
  expectStatus(result, Status.CANCELLED, 'ServerStream reset by the server with RST_STREAM(CANCEL) after 2 responses');
  expectEqual(result.responses.length, 2, 'responses before the reset');
  return { details: result.error.details };
};

scenarios.server_exception = async (client) => {
  const result = await unaryCall(client, { throw_exception: true });
  expectStatus(result, Status.UNKNOWN, 'Unary whose handler throws');
  const after = await unaryCall(client, { message: 'still there' });
  expectOk(after, 'Unary after a handler threw');
  return { details: result.error.details };
};

const UNICODE_MESSAGE = 'café ✓ 失败';
const PERCENT_MESSAGE = '100% done\r\nnext line\n%41 %zz %';

scenarios.status_unicode = async (client) => {
  const result = await unaryCall(client, { status_code: Status.FAILED_PRECONDITION, status_message: UNICODE_MESSAGE });
  expectStatus(result, Status.FAILED_PRECONDITION, 'Unary failing with a non-ASCII message');
  expectEqual(result.error.details, UNICODE_MESSAGE, 'status message');
  return { details: result.error.details };
};

scenarios.status_percent_newlines = async (client) => {
  const result = await unaryCall(client, { status_code: Status.INVALID_ARGUMENT, status_message: PERCENT_MESSAGE });
  expectStatus(result, Status.INVALID_ARGUMENT, 'Unary failing with a message containing % and newlines');
  expectEqual(result.error.details, PERCENT_MESSAGE, 'status message');
  return { details: result.error.details };
};

scenarios.status_unicode_after_messages = async (client) => {
  const result = await serverStreamCall(client, {
    response_count: 5, fail_after_responses: 2, status_code: Status.DATA_LOSS, status_message: UNICODE_MESSAGE,
  });
  expectStatus(result, Status.DATA_LOSS, 'ServerStream failing with a non-ASCII message after 2 responses');
  expectEqual(result.error.details, UNICODE_MESSAGE, 'status message in trailers after messages');
  expectEqual(result.responses.length, 2, 'responses before the status');
  return { details: result.error.details };
};

scenarios.all_status_codes = async (client) => {
  for (let code = 1; code <= 16; code++) {
    const result = await unaryCall(client, { status_code: code, status_message: `status ${code}` });
    expectStatus(result, code, `Unary failing with ${statusName(code)}`);
    expectEqual(result.error.details, `status ${code}`, `${statusName(code)} message`);
  }
  return { codes: 16 };
};

// Binary values chosen to hit every base64 padding case and every byte value.
function binaryValues() {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return { all, one: Buffer.from([0xff]), two: Buffer.from([0x00, 0xfe]), three: Buffer.from([0xfb, 0xff, 0xbf]) };
}

function echoedMetadata() {
  const values = binaryValues();
  const metadata = new grpc.Metadata();
  metadata.set('x-echo-text', 'plain ascii value: 1 2 3 !#$&');
  metadata.set('x-echo-all-bin', values.all);
  metadata.set('x-echo-one-bin', values.one);
  metadata.set('x-echo-two-bin', values.two);
  metadata.set('x-echo-three-bin', values.three);
  return { metadata, values };
}

function checkEchoedMetadata(headers, trailers, values, what) {
  expect(headers, `${what}: no response headers`);
  expect(trailers, `${what}: no trailers`);
  const check = (metadata, prefix, where) => {
    expectEqual(metadata.get(`${prefix}text`)[0], 'plain ascii value: 1 2 3 !#$&', `${what}: ${where} ${prefix}text`);
    for (const name of ['all', 'one', 'two', 'three']) {
      const got = metadata.get(`${prefix}${name}-bin`);
      expectEqual(got.length, 1, `${what}: number of ${where} ${prefix}${name}-bin values`);
      expectBytes(got[0], values[name], `${what}: ${where} ${prefix}${name}-bin`);
    }
  };
  check(headers, 'x-echo-', 'header');
  check(trailers, 'x-trailer-', 'trailer');
}

scenarios.metadata_echo = async (client) => {
  const { metadata, values } = echoedMetadata();
  const result = await unaryCall(client, { echo_metadata: true }, { metadata });
  expectOk(result, 'Unary echoing metadata');
  checkEchoedMetadata(result.headers, result.trailers, values, 'Unary');

  const { metadata: streamMetadata } = echoedMetadata();
  const stream = await serverStreamCall(client, { echo_metadata: true, response_count: 2 }, { metadata: streamMetadata });
  expectOk(stream, 'ServerStream echoing metadata');
  checkEchoedMetadata(stream.headers, stream.trailers, values, 'ServerStream');
  return { header_keys: Object.keys(result.headers.getMap()), trailer_keys: Object.keys(result.trailers.getMap()) };
};

scenarios.metadata_multi_value = async (client) => {
  const metadata = new grpc.Metadata();
  metadata.add('x-echo-multi', 'first');
  metadata.add('x-echo-multi', 'second');
  const result = await unaryCall(client, { echo_metadata: true }, { metadata });
  expectOk(result, 'Unary echoing repeated metadata keys');
  for (const [metadataOf, prefix] of [[result.headers, 'x-echo-'], [result.trailers, 'x-trailer-']]) {
    const text = metadataOf.get(`${prefix}multi`).map(String);
    // A repeated key may legally arrive as one comma-joined field.
    const flattened = text.flatMap((value) => value.split(',').map((part) => part.trim()));
    expectEqual(JSON.stringify(flattened), JSON.stringify(['first', 'second']), `${prefix}multi values`);
  }
  return {};
};

// grpc-js sends a repeated binary key as one comma-joined field, which Grpc.AspNetCore decodes as a single base64
// string and refuses (UNKNOWN). Kept as a scenario so that the day the server accepts it, the test says so.
scenarios.metadata_multi_value_binary_refused = async (client) => {
  const metadata = new grpc.Metadata();
  metadata.add('x-echo-multi-bin', Buffer.from([1, 2, 3]));
  metadata.add('x-echo-multi-bin', Buffer.from([0xfe, 0xff]));
  const result = await unaryCall(client, { echo_metadata: true }, { metadata });
  expectStatus(result, Status.UNKNOWN, 'Unary with a repeated binary metadata key');
  const after = await unaryCall(client, { message: 'after' });
  expectOk(after, 'Unary after the refused call');
  return {};
};

// Grpc.AspNetCore does not echo metadata whose value is empty: the call succeeds and the key is absent. The grpc-js
// server keeps it (OurServerWireFormatTests compares both servers).
scenarios.metadata_empty_binary = async (client) => {
  const metadata = new grpc.Metadata();
  metadata.set('x-echo-empty-bin', Buffer.alloc(0));
  metadata.set('x-echo-full-bin', Buffer.from([7]));
  const result = await unaryCall(client, { echo_metadata: true }, { metadata });
  expectOk(result, 'Unary echoing an empty binary metadata value');
  expectEqual(result.trailers.get('x-trailer-empty-bin').length, 0, 'number of x-trailer-empty-bin values');
  const full = result.trailers.get('x-trailer-full-bin');
  expectEqual(full.length, 1, 'number of x-trailer-full-bin values');
  expectBytes(full[0], Buffer.from([7]), 'x-trailer-full-bin');
  return {};
};

scenarios.metadata_on_error = async (client) => {
  const { metadata, values } = echoedMetadata();
  const result = await unaryCall(client, {
    echo_metadata: true, status_code: Status.NOT_FOUND, status_message: 'no such thing',
  }, { metadata });
  expectStatus(result, Status.NOT_FOUND, 'Unary failing with echoed metadata');
  expectEqual(result.error.details, 'no such thing', 'status message');
  checkEchoedMetadata(result.headers, result.error.metadata, values, 'failed Unary');
  return {};
};

// Checks the google.rpc.Status a failed call carried in grpc-status-details-bin against what
// interop.proto's status_details promises: the call's own code and message, and one
// google.rpc.BadRequest whose one field violation names the request's message.
function checkStatusDetails(error, code, message, description, what) {
  const values = error.metadata ? error.metadata.get(STATUS_DETAILS_KEY) : [];
  expectEqual(values.length, 1, `${what}: number of ${STATUS_DETAILS_KEY} values`);
  expect(Buffer.isBuffer(values[0]), () => `${what}: ${STATUS_DETAILS_KEY} is not binary: ${JSON.stringify(values[0])}`);
  let status;
  try {
    status = decodeRpcStatus(values[0]);
  } catch (e) {
    throw new ScenarioFailure(`${what}: ${STATUS_DETAILS_KEY} is not a google.rpc.Status (${e.message}): ${values[0].toString('hex')}`);
  }
  expectEqual(status.code, code, `${what}: google.rpc.Status code`);
  expectEqual(status.message, message, `${what}: google.rpc.Status message`);
  expectEqual(status.details.length, 1, `${what}: number of details`);
  expectEqual(status.details[0].type_url, BAD_REQUEST_TYPE_URL, `${what}: type URL of the detail`);
  const violations = decodeBadRequest(status.details[0].value);
  expectEqual(JSON.stringify(violations), JSON.stringify([{ field: 'message', description }]), `${what}: BadRequest field violations`);
  return status;
}

scenarios.status_details = async (client) => {
  // Unary: the status comes before any message (a trailers-only response from most servers).
  // Non-ASCII text checks that the Status message travels as UTF-8 inside the protobuf,
  // independently of grpc-message's percent-encoding.
  const description = 'not a valid name: ✗ «Ωmega»';
  const result = await unaryCall(client, {
    message: description, status_code: Status.INVALID_ARGUMENT, status_message: UNICODE_MESSAGE, status_details: true,
  });
  expectStatus(result, Status.INVALID_ARGUMENT, 'Unary failing with status details');
  expectEqual(result.error.details, UNICODE_MESSAGE, 'status message');
  const status = checkStatusDetails(result.error, Status.INVALID_ARGUMENT, UNICODE_MESSAGE, description, 'Unary');

  // Server streaming: the trailers follow two messages and carry echoed metadata as well.
  const { metadata, values } = echoedMetadata();
  const stream = await serverStreamCall(client, {
    message: 'field text', response_count: 5, fail_after_responses: 2, echo_metadata: true,
    status_code: Status.FAILED_PRECONDITION, status_message: 'stopped after 2', status_details: true,
  }, { metadata });
  expectStatus(stream, Status.FAILED_PRECONDITION, 'ServerStream failing with status details after 2 responses');
  expectEqual(stream.responses.length, 2, 'responses before the status');
  checkStatusDetails(stream.error, Status.FAILED_PRECONDITION, 'stopped after 2', 'field text', 'ServerStream');
  checkEchoedMetadata(stream.headers, stream.error.metadata, values, 'ServerStream with status details');

  // Without status_details there is no such trailer.
  const plain = await unaryCall(client, { status_code: Status.INVALID_ARGUMENT, status_message: 'plain' });
  expectStatus(plain, Status.INVALID_ARGUMENT, 'Unary failing without status details');
  expectEqual(plain.error.metadata.get(STATUS_DETAILS_KEY).length, 0, `number of ${STATUS_DETAILS_KEY} values without status_details`);
  return { code: status.code, message: status.message, type_url: status.details[0].type_url };
};

function gzipClient(address) {
  return new proto.Echo(address, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 });
}

scenarios.gzip_request = async (client, env) => {
  const gzip = gzipClient(env.address);
  try {
    const payload = Buffer.from('compressible text '.repeat(16 * 1024));
    const result = await unaryCall(gzip, { message: 'gzip', payload });
    expectOk(result, 'Unary with a gzip-compressed request');
    expectEqual(result.response.request_grpc_encoding, 'gzip', 'grpc-encoding the server saw');
    expectBytes(result.response.payload, payload, 'echoed payload');

    const stream = openClientStream(gzip);
    for (let i = 0; i < 5; i++) stream.call.write({ payload: patternBytes(10000, i) });
    stream.call.end();
    const streamResult = await stream.done;
    expectOk(streamResult, 'ClientStream with gzip-compressed requests');
    expectEqual(streamResult.response.received_bytes, 50000, 'received_bytes');
    expectEqual(streamResult.response.request_grpc_encoding, 'gzip', 'grpc-encoding the server saw (stream)');
    return { payload_bytes: payload.length };
  } finally {
    gzip.close();
  }
};

// Needs a server that compresses its responses (our server with ResponseCompressionAlgorithm,
// or server.js --compression gzip).
scenarios.gzip_response = async (client) => {
  const result = await unaryCall(client, { message: 'gzip me', response_size: 200000 });
  expectOk(result, 'Unary from a gzip-compressing server');
  expectEqual(wireHeadersOf(result.headers).grpcEncoding, 'gzip', 'grpc-encoding response header');
  expectBytes(result.response.payload, patternBytes(200000, 0), 'response payload');
  const stream = await serverStreamCall(client, { response_count: 4, response_size: 5000 });
  expectOk(stream, 'ServerStream from a gzip-compressing server');
  expectEqual(stream.responses.length, 4, 'responses');
  stream.responses.forEach((response, i) => expectBytes(response.payload, patternBytes(5000, i), `response ${i} payload`));
  return { grpc_encoding: wireHeadersOf(result.headers).grpcEncoding };
};

// Needs a server that does not support deflate (ours: identity and gzip). grpc-js supports
// deflate itself, so this scenario is not part of "all".
scenarios.deflate_request_rejected = async (client, env) => {
  const deflate = new proto.Echo(env.address, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 1 });
  try {
    const result = await unaryCall(deflate, { message: 'deflate', payload: Buffer.from('compressible '.repeat(100)) });
    expectStatus(result, Status.UNIMPLEMENTED, 'Unary with a deflate-compressed request to a server without deflate');
    const acceptEncoding = [result.headers, result.trailers]
      .map((metadata) => wireHeadersOf(metadata).grpcAcceptEncoding || (metadata ? String(metadata.get('grpc-accept-encoding')[0] || '') : ''))
      .find((value) => value !== '') || '';
    expect(acceptEncoding !== '', 'the UNIMPLEMENTED answer carried no grpc-accept-encoding header (the compression spec requires one)');
    expect(!acceptEncoding.split(',').map((s) => s.trim()).includes('deflate'),
      () => `grpc-accept-encoding "${acceptEncoding}" lists deflate, yet deflate was refused`);
    return { details: result.error.details, grpc_accept_encoding: acceptEncoding };
  } finally {
    deflate.close();
  }
};

scenarios.size_limits = async (client) => {
  const atLimit = await unaryCall(client, requestOfSize(DEFAULT_LIMIT, { response_size: 1 }));
  expectOk(atLimit, `Unary with a request of exactly ${DEFAULT_LIMIT} bytes`);
  const overLimit = await unaryCall(client, requestOfSize(DEFAULT_LIMIT + 1, { response_size: 1 }));
  expectStatus(overLimit, Status.RESOURCE_EXHAUSTED, `Unary with a request of ${DEFAULT_LIMIT + 1} bytes`);
  const afterRequest = await unaryCall(client, { message: 'after' });
  expectOk(afterRequest, 'Unary after an oversized request');

  const underLimitResponse = await unaryCall(client, { response_size: DEFAULT_LIMIT - 1024 });
  expectOk(underLimitResponse, 'Unary asking for a response 1 KiB under the limit');
  const overLimitResponse = await unaryCall(client, { response_size: DEFAULT_LIMIT + 1 });
  expectStatus(overLimitResponse, Status.RESOURCE_EXHAUSTED, 'Unary asking for a response over the client\'s limit');
  const afterResponse = await unaryCall(client, { message: 'after' });
  expectOk(afterResponse, 'Unary after an oversized response');
  return { over_request: overLimit.error.details, over_response: overLimitResponse.error.details };
};

scenarios.concurrency_100 = async (client) => {
  const barrierId = newCallId('barrier');
  const calls = [];
  for (let i = 0; i < 100; i++) {
    calls.push(unaryCall(client, { message: `call ${i}`, barrier_id: barrierId, barrier_count: 100 }, { deadlineMs: 20000 }));
  }
  const results = await Promise.all(calls);
  results.forEach((result, i) => expectOk(result, `concurrent call ${i}`));
  results.forEach((result, i) => expectEqual(result.response.message, `call ${i}`, `concurrent call ${i} message`));
  const peers = [...new Set(results.map((result) => result.response.peer))];
  expect(peers.length === 1, () => `expected all 100 calls on one connection, the server saw peers ${JSON.stringify(peers)}`);
  const maxInFlight = Math.max(...results.map((result) => result.response.max_in_flight));
  expect(maxInFlight >= 100, () => `the server never had 100 calls in flight (max ${maxInFlight})`);
  return { peers, max_in_flight: maxInFlight };
};

// ---------------------------------------------------------------------------------------------

function parseArguments(argv) {
  const options = { address: null, scenarios: [] };
  for (let i = 2; i < argv.length; i++) {
    switch (argv[i]) {
      case '--address': options.address = argv[++i]; break;
      case '--scenario': options.scenarios.push(...argv[++i].split(',').filter(Boolean)); break;
      case '--list': options.list = true; break;
      default:
        console.error(`unknown argument ${argv[i]}`);
        process.exit(2);
    }
  }
  return options;
}

async function runScenario(name, address) {
  const started = Date.now();
  const client = new proto.Echo(address, grpc.credentials.createInsecure());
  let timer;
  try {
    const details = await Promise.race([
      scenarios[name](client, { address }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new ScenarioFailure(`timed out after ${SCENARIO_TIMEOUT_MS} ms`)), SCENARIO_TIMEOUT_MS);
      }),
    ]);
    return { scenario: name, ok: true, elapsed_ms: Date.now() - started, details };
  } catch (error) {
    const message = error instanceof ScenarioFailure ? error.message : `unexpected exception: ${error.stack || error}`;
    return { scenario: name, ok: false, elapsed_ms: Date.now() - started, error: message };
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

async function main() {
  const options = parseArguments(process.argv);
  if (options.list) {
    console.log(Object.keys(scenarios).join('\n'));
    return 0;
  }
  if (!options.address || options.scenarios.length === 0) {
    console.error('usage: node client.js --address HOST:PORT --scenario NAME[,NAME...]|all');
    return 2;
  }
  const names = options.scenarios.includes('all')
    ? Object.keys(scenarios).filter((name) => !SERVER_SPECIFIC.includes(name))
    : options.scenarios;
  const unknown = names.filter((name) => !(name in scenarios));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
    return 2;
  }
  let failed = 0;
  for (const name of names) {
    const result = await runScenario(name, options.address);
    if (!result.ok) failed++;
    process.stdout.write(JSON.stringify(result, (key, value) => (typeof value === 'bigint' ? Number(value) : value)) + '\n');
  }
  return failed > 0 ? 1 : 0;
}

// Exit explicitly: a call that never ended (the very failure a scenario may be reporting) would
// otherwise keep the process alive.
main().then((code) => {
  process.stdout.write('', () => process.exit(code));
}, (error) => {
  console.error(error);
  process.exit(1);
});
