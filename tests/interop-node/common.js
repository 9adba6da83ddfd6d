'use strict';
// Shared by server.js and client.js: loads the interop contract and exposes small helpers.
// The .proto lives with the C# tests so both sides compile/load the very same file.

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_PATH = path.resolve(__dirname, '../Cauchy.Grpc.Tests/Protos/interop.proto');

const packageDefinition = protoLoader.loadSync(PROTO_PATH, {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});
const proto = grpc.loadPackageDefinition(packageDefinition).cauchy.interop.v1;
const echoMethods = packageDefinition['cauchy.interop.v1.Echo'];

// grpc-js strips grpc-timeout and grpc-encoding from the Metadata it hands to applications.
// The tests need to see what actually travelled on the wire, so remember the raw header values
// of every Metadata built from HTTP/2 headers (request headers on a server, response headers
// on a client). A WeakMap keeps the Metadata objects themselves untouched.
const wireHeaders = new WeakMap();
const originalFromHttp2Headers = grpc.Metadata.fromHttp2Headers;
grpc.Metadata.fromHttp2Headers = function fromHttp2HeadersRecordingWireValues(headers) {
  const metadata = originalFromHttp2Headers.call(this, headers);
  wireHeaders.set(metadata, {
    grpcTimeout: headerString(headers['grpc-timeout']),
    grpcEncoding: headerString(headers['grpc-encoding']),
    grpcAcceptEncoding: headerString(headers['grpc-accept-encoding']),
  });
  return metadata;
};

function headerString(value) {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

function wireHeadersOf(metadata) {
  return (metadata && wireHeaders.get(metadata)) || { grpcTimeout: '', grpcEncoding: '', grpcAcceptEncoding: '' };
}

// Deterministic, non-repeating-looking bytes (so a shifted or truncated payload is detected).
function patternBytes(length, seed = 0) {
  const buffer = Buffer.alloc(length);
  let x = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    buffer[i] = x >>> 24;
  }
  return buffer;
}

function varintLength(value) {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

// The rich error model: a serialized google.rpc.Status in the `grpc-status-details-bin` trailer
// (see rpc_status.proto). grpc-js passes that trailer through as ordinary binary metadata and
// knows nothing of its contents. protobufjs is the parser @grpc/proto-loader is built on; it is
// resolved from proto-loader's own location, so this uses the copy installed for proto-loader.
const protobuf = require(require.resolve('protobufjs', { paths: [path.dirname(require.resolve('@grpc/proto-loader'))] }));

const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';
const rpcRoot = new protobuf.Root().loadSync(path.resolve(__dirname, 'rpc_status.proto'), { keepCase: true });
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const BadRequest = rpcRoot.lookupType('google.rpc.BadRequest');

// The bytes of a google.rpc.Status with one detail, a google.rpc.BadRequest listing
// `fieldViolations` ([{ field, description }]).
function encodeBadRequestStatus(code, message, fieldViolations) {
  const badRequest = BadRequest.encode(BadRequest.create({ field_violations: fieldViolations })).finish();
  const status = RpcStatus.create({ code, message, details: [{ type_url: BAD_REQUEST_TYPE_URL, value: badRequest }] });
  return Buffer.from(RpcStatus.encode(status).finish());
}

// { code, message, details: [{ type_url, value: Buffer }] }; throws on bytes that are not a Status.
function decodeRpcStatus(bytes) {
  const status = RpcStatus.decode(bytes);
  return {
    code: status.code,
    message: status.message,
    details: status.details.map((any) => ({ type_url: any.type_url, value: Buffer.from(any.value) })),
  };
}

// [{ field, description }] of a serialized google.rpc.BadRequest.
function decodeBadRequest(bytes) {
  return BadRequest.decode(bytes).field_violations.map((v) => ({ field: v.field, description: v.description }));
}

module.exports = {
  grpc,
  proto,
  echoMethods,
  PROTO_PATH,
  wireHeadersOf,
  patternBytes,
  varintLength,
  STATUS_DETAILS_KEY,
  BAD_REQUEST_TYPE_URL,
  encodeBadRequestStatus,
  decodeRpcStatus,
  decodeBadRequest,
};
