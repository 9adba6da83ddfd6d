'use strict';
// The grpc-js side of `make bench-grpc`: the same two methods as bench/Cauchy.Grpc.Bench/BenchEchoService.cs
// doing the same (minimal) work, so the comparison measures the gRPC runtimes, not the handlers.
//   node grpcjs-bench-server.js   → prints "LISTENING <port>"; exits when stdin closes.
const path = require('node:path');
const modules = path.join(__dirname, '..', 'tests', 'interop-node', 'node_modules');
const grpc = require(path.join(modules, '@grpc/grpc-js'));
const protoLoader = require(path.join(modules, '@grpc/proto-loader'));

const definition = protoLoader.loadSync(
  path.join(__dirname, '..', 'tests', 'Cauchy.Grpc.Tests', 'Protos', 'interop.proto'),
  { keepCase: true, longs: Number, defaults: true });
const echo = grpc.loadPackageDefinition(definition).cauchy.interop.v1.Echo;

const payloads = new Map();
function payloadOf(size) {
  let payload = payloads.get(size);
  if (!payload) {
    payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
    payloads.set(size, payload);
  }
  return payload;
}

const server = new grpc.Server({
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.max_concurrent_streams': 1000,
});
server.addService(echo.service, {
  Unary(call, callback) {
    callback(null, { message: call.request.message, payload: call.request.payload });
  },
  ServerStream(call) {
    const payload = payloadOf(call.request.response_size);
    const count = Math.max(1, call.request.response_count);
    let index = 0;
    // Respect back-pressure: write until the stream's buffer is full, continue on 'drain'.
    const pump = () => {
      while (index < count) {
        const more = call.write({ index, payload });
        index++;
        if (!more) {
          call.once('drain', pump);
          return;
        }
      }
      call.end();
    };
    pump();
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  console.log(`LISTENING ${port}`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
