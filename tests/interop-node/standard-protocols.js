'use strict';
// The standard gRPC protocols that every Cauchy service serves — grpc.health.v1 and
// grpc.reflection.v1 / v1alpha — declared here from their published specifications, with
// @grpc/grpc-js clients for them. Shared by the two generic tools that check those services:
//   tests/interop-node/reflection-client.js          (tests/Cauchy.Grpc.Tests, Standard/)
//   tests/Cauchy.Platform.Tests/node/platform-probe.js (tests/Cauchy.Platform.Tests, scripts/up.sh --status)
//
// Independence matters here: the protocols are declared below, not loaded from the .proto files
// the C# server is compiled from, so a mistake in those files shows up as a failure instead of
// being shared by both sides.
//
// Messages are plain objects with the field names of the specifications (snake_case, as written
// in the .proto files). Responses decode with enums as their names ("SERVING"), every field
// present (defaults: "" for strings, [] for repeated fields, null for an absent message), the
// name of the set member of a oneof in a field named after the oneof (message_response:
// 'error_response') and bytes as Buffers.

const grpc = require('@grpc/grpc-js');
// protobufjs comes with proto-loader; resolve it from there rather than count on npm hoisting it.
const protobufPath = require.resolve('protobufjs', { paths: [require.resolve('@grpc/proto-loader')] });
const protobuf = require(protobufPath);
// FileDescriptorProto and FileDescriptorSet, for the file descriptors reflection answers with.
const descriptor = require(require.resolve('protobufjs/ext/descriptor', { paths: [protobufPath] }));

// ---------------------------------------------------------------------------------------------
// The standard protocols, from their specifications.

function reflectionPackage() {
  const string = (id) => ({ type: 'string', id });
  return {
    nested: {
      ServerReflectionRequest: {
        oneofs: {
          message_request: {
            oneof: ['file_by_filename', 'file_containing_symbol', 'file_containing_extension', 'all_extension_numbers_of_type', 'list_services'],
          },
        },
        fields: {
          host: string(1),
          file_by_filename: string(3),
          file_containing_symbol: string(4),
          file_containing_extension: { type: 'ExtensionRequest', id: 5 },
          all_extension_numbers_of_type: string(6),
          list_services: string(7),
        },
      },
      ExtensionRequest: { fields: { containing_type: string(1), extension_number: { type: 'int32', id: 2 } } },
      ServerReflectionResponse: {
        oneofs: {
          message_response: {
            oneof: ['file_descriptor_response', 'all_extension_numbers_response', 'list_services_response', 'error_response'],
          },
        },
        fields: {
          valid_host: string(1),
          original_request: { type: 'ServerReflectionRequest', id: 2 },
          file_descriptor_response: { type: 'FileDescriptorResponse', id: 4 },
          all_extension_numbers_response: { type: 'ExtensionNumberResponse', id: 5 },
          list_services_response: { type: 'ListServiceResponse', id: 6 },
          error_response: { type: 'ErrorResponse', id: 7 },
        },
      },
      FileDescriptorResponse: { fields: { file_descriptor_proto: { rule: 'repeated', type: 'bytes', id: 1 } } },
      ExtensionNumberResponse: { fields: { base_type_name: string(1), extension_number: { rule: 'repeated', type: 'int32', id: 2 } } },
      ListServiceResponse: { fields: { service: { rule: 'repeated', type: 'ServiceResponse', id: 1 } } },
      ServiceResponse: { fields: { name: string(1) } },
      ErrorResponse: { fields: { error_code: { type: 'int32', id: 1 }, error_message: string(2) } },
    },
  };
}

const standard = protobuf.Root.fromJSON({
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                },
              },
            },
          },
        },
        reflection: { nested: { v1: reflectionPackage(), v1alpha: reflectionPackage() } },
      },
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Codecs and clients.

// Serializes a plain object as the named message; deserializes into the plain object described above.
function codec(typeName) {
  const type = standard.lookupType(typeName);
  return {
    serialize: (object) => Buffer.from(type.encode(type.fromObject(object)).finish()),
    deserialize: (buffer) => type.toObject(type.decode(buffer), { enums: String, defaults: true, oneofs: true }),
  };
}

function method(path, requestType, responseType, requestStream, responseStream) {
  const request = codec(requestType);
  const response = codec(responseType);
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: request.serialize,
    requestDeserialize: request.deserialize,
    responseSerialize: response.serialize,
    responseDeserialize: response.deserialize,
  };
}

// grpc.health.v1.Health: Check (unary) and Watch (server streaming).
const HealthClient = grpc.makeGenericClientConstructor({
  Check: method('/grpc.health.v1.Health/Check', 'grpc.health.v1.HealthCheckRequest', 'grpc.health.v1.HealthCheckResponse', false, false),
  Watch: method('/grpc.health.v1.Health/Watch', 'grpc.health.v1.HealthCheckRequest', 'grpc.health.v1.HealthCheckResponse', false, true),
}, 'Health');

const REFLECTION_VERSIONS = Object.freeze(['v1', 'v1alpha']);
const reflectionClients = new Map();

// The client constructor of grpc.reflection.<version>.ServerReflection (ServerReflectionInfo, bidi
// streaming); version is 'v1' or 'v1alpha'.
function reflectionClient(version) {
  if (!REFLECTION_VERSIONS.includes(version)) {
    throw new Error(`unknown reflection version ${version}; expected one of ${REFLECTION_VERSIONS.join(', ')}`);
  }
  if (!reflectionClients.has(version)) {
    const pkg = `grpc.reflection.${version}`;
    reflectionClients.set(version, grpc.makeGenericClientConstructor({
      ServerReflectionInfo: method(`/${pkg}.ServerReflection/ServerReflectionInfo`,
        `${pkg}.ServerReflectionRequest`, `${pkg}.ServerReflectionResponse`, true, true),
    }, 'ServerReflection'));
  }
  return reflectionClients.get(version);
}

// The name of a grpc status code ('NOT_FOUND' for 5), or the number as a string when it has none.
const statusName = (code) => Object.keys(grpc.status).find((name) => grpc.status[name] === code) || String(code);

module.exports = {
  grpc,
  protobuf,
  descriptor,
  standard,
  codec,
  HealthClient,
  REFLECTION_VERSIONS,
  reflectionClient,
  statusName,
};
