'use strict';
// What a generic gRPC tool (grpcurl, grpc-health-probe, Kubernetes' gRPC probe) sees of a Cauchy
// service, checked with an independent gRPC implementation (@grpc/grpc-js) and independent
// declarations of the standard health and reflection protocols, written from their specifications
// in tests/interop-node/standard-protocols.js (not the .proto files the servers are compiled from).
// Prints exactly one JSON line on stdout; the C# platform tests and scripts/up.sh --status judge it.
//
//   node platform-probe.js health  --address 127.0.0.1:PORT --service NAME [--service NAME ...]
//       {"command":"health","results":[{"service":"","code":0,"codeName":"OK","details":"","status":"SERVING"}, ...]}
//   node platform-probe.js reflect --address 127.0.0.1:PORT --version v1|v1alpha --symbol cauchy.v1.Datasets
//       {"command":"reflect","listServices":{...},"symbol":{...},"describable":{...},"unknownSymbol":{...},"byFilename":{...}}
//
// Exit codes: 0 the probe ran (whatever the server answered), 1 the probe itself failed (timeout,
// transport error: the message is on stderr), 2 usage error, 3 node_modules missing.

const fs = require('node:fs');
const path = require('node:path');

// The grpc-js tooling is installed once, for the interop suite, by `make deps`.
const INTEROP_DIR = path.resolve(__dirname, '../../interop-node');
if (!fs.existsSync(path.join(INTEROP_DIR, 'node_modules', '@grpc', 'grpc-js'))
  || !fs.existsSync(path.join(INTEROP_DIR, 'node_modules', '@grpc', 'proto-loader'))) {
  process.stderr.write(`platform-probe: ${path.join(INTEROP_DIR, 'node_modules')} is missing @grpc/grpc-js or @grpc/proto-loader: run make deps\n`);
  process.exit(3);
}
// Responses come back as plain objects with the specifications' snake_case field names, enums as
// names, defaults filled in, the set oneof member named in the oneof's field and bytes as Buffers.
const {
  grpc, descriptor, HealthClient, REFLECTION_VERSIONS, reflectionClient, statusName,
} = require(path.join(INTEROP_DIR, 'standard-protocols.js'));

const CALL_TIMEOUT_MS = 10000;

// --name value pairs; every option may repeat, so each maps to the list of its values.
function parseArgs(argv) {
  const [command, ...rest] = argv;
  const options = {};
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--') || i + 1 >= rest.length) usage(`bad argument ${rest[i]}`);
    const name = rest[i].slice(2);
    (options[name] = options[name] || []).push(rest[i + 1]);
  }
  return { command, options };
}

function usage(message) {
  process.stderr.write(`platform-probe: ${message}\n`
    + 'usage: node platform-probe.js health --address HOST:PORT --service NAME [--service NAME ...]\n'
    + '       node platform-probe.js reflect --address HOST:PORT --version v1|v1alpha --symbol NAME\n');
  process.exit(2);
}

function deadline() {
  return new Date(Date.now() + CALL_TIMEOUT_MS);
}

// grpc.health.v1.Health/Check for each service name in turn, on one channel: resolves with each call's
// status and, on OK, the serving status.
async function health(address, services) {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  const check = (service) => new Promise((resolve) => {
    client.Check({ service }, { deadline: deadline() }, (error, response) => {
      if (error) {
        resolve({ service, code: error.code, codeName: statusName(error.code), details: error.details, status: null });
      } else {
        resolve({ service, code: 0, codeName: 'OK', details: '', status: response.status });
      }
    });
  });
  try {
    const results = [];
    for (const service of services) results.push(await check(service));
    return { command: 'health', results };
  } finally {
    client.close();
  }
}

// One ServerReflectionInfo stream, used the way grpcurl uses it: requests go one at a time and each
// answer is awaited before the next request is sent.
class ReflectionStream {
  constructor(address, version) {
    if (!REFLECTION_VERSIONS.includes(version)) usage(`unknown reflection version ${version}`);
    const ServerReflection = reflectionClient(version);
    this.client = new ServerReflection(address, grpc.credentials.createInsecure());
    this.call = this.client.ServerReflectionInfo({ deadline: new Date(Date.now() + 3 * CALL_TIMEOUT_MS) });
    this.waiting = [];
    this.failure = null;
    this.call.on('data', (response) => {
      const next = this.waiting.shift();
      if (next) next.resolve(response);
    });
    this.call.on('error', (error) => this.fail(new Error(`reflection stream failed: ${statusName(error.code)} ${error.details}`)));
    this.call.on('end', () => this.fail(new Error('reflection stream ended before answering every request')));
  }

  fail(error) {
    this.failure = this.failure || error;
    for (const pending of this.waiting.splice(0)) pending.reject(this.failure);
  }

  ask(request) {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.call.write({ host: '', ...request });
    });
  }

  close() {
    this.call.end();
    this.client.close();
  }
}

// Turns an answer into plain JSON: the listed services, the decoded files, or the error.
function summarize(request, response) {
  const summary = {
    kind: response.message_response,
    echoesRequest: response.original_request !== null
      && Object.keys(request).every((key) => response.original_request[key] === request[key]),
  };
  switch (response.message_response) {
    case 'list_services_response':
      summary.services = response.list_services_response.service.map((s) => s.name);
      break;
    case 'file_descriptor_response':
      summary.files = response.file_descriptor_response.file_descriptor_proto.map(decodeFile);
      break;
    case 'error_response':
      summary.errorCode = response.error_response.error_code;
      summary.errorMessage = response.error_response.error_message;
      break;
    default:
      break;
  }
  return summary;
}

function decodeFile(bytes) {
  try {
    const file = descriptor.FileDescriptorProto.decode(bytes);
    return {
      decoded: true,
      bytes: bytes.length,
      name: file.name,
      package: file.package || '',
      dependency: file.dependency || [],
      messageTypes: (file.messageType || []).map((m) => m.name),
      services: (file.service || []).map((s) => ({
        name: s.name,
        methods: (s.method || []).map((m) => ({
          name: m.name,
          inputType: m.inputType,
          outputType: m.outputType,
          clientStreaming: Boolean(m.clientStreaming),
          serverStreaming: Boolean(m.serverStreaming),
        })),
      })),
    };
  } catch (error) {
    return { decoded: false, bytes: bytes.length, error: String(error && error.message) };
  }
}

async function reflect(address, version, symbol) {
  const stream = new ReflectionStream(address, version);
  try {
    const askAndSummarize = async (request) => summarize(request, await stream.ask(request));
    const result = { command: 'reflect', version };
    result.listServices = await askAndSummarize({ list_services: '' });
    result.symbol = await askAndSummarize({ file_containing_symbol: symbol });
    // A tool that lists a server can describe every service it lists.
    result.describable = {};
    for (const name of result.listServices.services || []) {
      const answer = await askAndSummarize({ file_containing_symbol: name });
      result.describable[name] = answer.kind === 'file_descriptor_response'
        ? (answer.files || []).map((f) => f.name)
        : `${answer.kind}: ${answer.errorCode} ${answer.errorMessage}`;
    }
    result.unknownSymbol = await askAndSummarize({ file_containing_symbol: `${symbol}DoesNotExist` });
    const mainFile = (result.symbol.files || [])[0];
    if (mainFile && mainFile.name) {
      result.byFilename = await askAndSummarize({ file_by_filename: mainFile.name });
    }
    return result;
  } finally {
    stream.close();
  }
}

async function main() {
  const { command, options } = parseArgs(process.argv.slice(2));
  const single = (name) => (options[name] || []).at(-1);
  if (!single('address')) usage('--address is required');
  let result;
  if (command === 'health') {
    if (!options.service) usage('--service is required');
    result = await health(single('address'), options.service);
  } else if (command === 'reflect') {
    if (!single('symbol')) usage('--symbol is required');
    result = await reflect(single('address'), single('version') || 'v1', single('symbol'));
  } else {
    usage(`unknown command ${command}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`platform-probe: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
