'use strict';
// A generic gRPC tool, in the spirit of grpcurl, for the tests of Cauchy's standard services.
// Knowing nothing but a server's address, it
//   1. asks grpc.health.v1.Health about the whole server (""), about one named service and about
//      a service that does not exist, and watches the named service once;
//   2. lists the server's services through reflection, over v1 and over v1alpha;
//   3. fetches the file descriptors of a service by symbol (and, like any client, any import the
//      server did not send), rebuilds the service from them and calls one of its unary methods.
//
//   node reflection-client.js --address 127.0.0.1:PORT --service cauchy.probe.v1.Probe \
//        [--method Describe] [--request '{"name":"node"}']
//
// Prints one JSON object with everything it saw; exits 0 when every step worked, 1 when a step
// failed (the JSON then has "failure"), 2 for a usage error.
//
// Independence matters here: the health and reflection protocols are declared in
// standard-protocols.js from their published specifications, not loaded from the .proto files the
// C# server is compiled from, so a mistake in those files shows up as a failure instead of being
// shared by both sides.

const protoLoader = require('@grpc/proto-loader');
const { grpc, descriptor, HealthClient, reflectionClient, statusName } = require('./standard-protocols');

const CALL_TIMEOUT_MS = 10000;

// ---------------------------------------------------------------------------------------------
// Steps.

const deadline = () => ({ deadline: new Date(Date.now() + CALL_TIMEOUT_MS) });

function healthCheck(client, service) {
  return new Promise((resolve) => {
    client.Check({ service }, new grpc.Metadata(), deadline(), (error, response) => {
      resolve(error
        ? { service, code: statusName(error.code), details: error.details }
        : { service, code: 'OK', status: response.status });
    });
  });
}

function healthWatchFirst(client, service) {
  return new Promise((resolve) => {
    const call = client.Watch({ service }, new grpc.Metadata(), deadline());
    let first = null;
    call.on('data', (response) => {
      if (first === null) {
        first = response.status;
        call.cancel();
      }
    });
    call.on('error', () => {});
    call.on('status', (status) => resolve({ service, first_status: first, ended_with: statusName(status.code) }));
  });
}

// One reflection stream; ask() sends a request and resolves with its response. The protocol
// answers requests in order, one response each, so a queue pairs them.
function openReflection(client) {
  const call = client.ServerReflectionInfo(new grpc.Metadata(), deadline());
  const waiting = [];
  let failure = null;
  call.on('data', (response) => {
    const next = waiting.shift();
    if (next) next.resolve(response);
  });
  const failAll = (error) => {
    failure = error;
    while (waiting.length) waiting.shift().reject(error);
  };
  call.on('error', failAll);
  call.on('end', () => failAll(new Error('reflection stream ended before answering')));
  return {
    ask(request) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        call.write(request);
      });
    },
    close() {
      call.end();
    },
  };
}

async function listServices(address, version) {
  const Client = reflectionClient(version);
  const client = new Client(address, grpc.credentials.createInsecure());
  try {
    const stream = openReflection(client);
    const response = await stream.ask({ list_services: '' });
    stream.close();
    if (!response.list_services_response) {
      throw new Error(`${version} list_services answered ${JSON.stringify(response)}`);
    }
    return response.list_services_response.service.map((service) => service.name);
  } finally {
    client.close();
  }
}

function decodeFiles(response) {
  if (!response.file_descriptor_response) {
    throw new Error(`expected file descriptors, got ${JSON.stringify(response.error_response || response)}`);
  }
  return response.file_descriptor_response.file_descriptor_proto.map((bytes) => descriptor.FileDescriptorProto.decode(bytes));
}

// What grpcurl does: ask for the file that declares the symbol, then for any import the server
// left out (the protocol allows it to skip files it sent earlier on the stream).
async function discover(address, symbol) {
  const Client = reflectionClient('v1');
  const client = new Client(address, grpc.credentials.createInsecure());
  const stream = openReflection(client);
  try {
    const unknownSymbol = `${symbol}.DoesNotExist`;
    const missing = await stream.ask({ file_containing_symbol: unknownSymbol });
    const unknown = missing.error_response
      ? { symbol: unknownSymbol, error_code: missing.error_response.error_code, error_message: missing.error_response.error_message }
      : { symbol: unknownSymbol, unexpected: missing.message_response };

    const first = decodeFiles(await stream.ask({ file_containing_symbol: symbol }));
    const files = new Map(first.map((file) => [file.name, file]));
    const fetchedSeparately = [];
    for (let pending = [...files.values()]; pending.length;) {
      const file = pending.shift();
      for (const dependency of file.dependency || []) {
        if (files.has(dependency)) continue;
        fetchedSeparately.push(dependency);
        for (const fetched of decodeFiles(await stream.ask({ file_by_filename: dependency }))) {
          if (!files.has(fetched.name)) {
            files.set(fetched.name, fetched);
            pending.push(fetched);
          }
        }
      }
    }
    return { unknown, firstFile: first[0].name, files: [...files.values()], fetchedSeparately };
  } finally {
    stream.close();
    client.close();
  }
}

function callUnary(address, files, serviceName, methodName, request) {
  const set = descriptor.FileDescriptorSet.encode({ file: files }).finish();
  const definition = protoLoader.loadFileDescriptorSetFromBuffer(Buffer.from(set), {
    keepCase: true, longs: String, enums: String, defaults: false, oneofs: true,
  });
  const service = definition[serviceName];
  if (!service) {
    throw new Error(`the reflected files do not define ${serviceName}; they define ${Object.keys(definition).join(', ')}`);
  }
  const unary = Object.entries(service).filter(([, m]) => !m.requestStream && !m.responseStream);
  const chosen = methodName ? unary.find(([name]) => name === methodName) : unary[0];
  if (!chosen) {
    throw new Error(`${serviceName} has no unary method ${methodName || ''}`.trim());
  }
  const [name, definitionOfMethod] = chosen;
  const Client = grpc.makeGenericClientConstructor(service, serviceName);
  const client = new Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client[name](request, new grpc.Metadata(), deadline(), (error, response) => {
      client.close();
      resolve(error
        ? { method: definitionOfMethod.path, code: statusName(error.code), details: error.details }
        : { method: definitionOfMethod.path, code: 'OK', response });
    });
  });
}

// ---------------------------------------------------------------------------------------------

function parseArguments(argv) {
  const args = { method: '', request: '{}' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['address', 'service', 'method', 'request'].includes(key) || i + 1 >= argv.length) {
      return null;
    }
    args[key] = argv[i + 1];
  }
  return args.address && args.service ? args : null;
}

async function main() {
  const args = parseArguments(process.argv.slice(2));
  if (!args) {
    process.stderr.write('usage: node reflection-client.js --address HOST:PORT --service PACKAGE.SERVICE [--method NAME] [--request JSON]\n');
    process.exit(2);
  }
  const result = { address: args.address };
  try {
    const health = new HealthClient(args.address, grpc.credentials.createInsecure());
    try {
      result.health = {
        server: await healthCheck(health, ''),
        service: await healthCheck(health, args.service),
        unknown: await healthCheck(health, 'cauchy.no.such.Service'),
        watch: await healthWatchFirst(health, args.service),
      };
    } finally {
      health.close();
    }
    result.services = {
      v1: await listServices(args.address, 'v1'),
      v1alpha: await listServices(args.address, 'v1alpha'),
    };
    const discovered = await discover(args.address, args.service);
    result.descriptors = {
      unknown_symbol: discovered.unknown,
      first_file: discovered.firstFile,
      files: discovered.files.map((file) => file.name),
      fetched_separately: discovered.fetchedSeparately,
    };
    result.call = await callUnary(args.address, discovered.files, args.service, args.method, JSON.parse(args.request));
  } catch (error) {
    result.failure = String(error && error.stack ? error.stack : error);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(result.failure ? 1 : 0);
}

main();
