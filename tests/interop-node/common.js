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

module.exports = {
  grpc,
  proto,
  echoMethods,
  PROTO_PATH,
  wireHeadersOf,
  patternBytes,
  varintLength,
};
