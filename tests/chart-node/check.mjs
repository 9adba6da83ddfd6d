// Offline checks of what the Helm chart renders, for tests/Cauchy.Deploy.Tests. Prints one JSON report on stdout and
// exits 1 when anything fails.
//
//   node check.mjs manifests <rendered.yaml>...   every object against the Kubernetes and prometheus-operator schemas
//   node check.mjs dashboards <dashboard.json>... every dashboard against Grafana's TypeScript types (tsc --strict)
//
// Manifests: each object goes through its kubernetes-models class's validate() (types, required fields, enums), which
// does not reject unknown fields; so built-in kinds also make a round trip through @kubernetes/client-node's
// ObjectSerializer, which drops every key its model does not know, and each dropped key is reported as unknown. The
// prometheus-operator kinds have no client-node model: they are type-checked as object literals against their
// kubernetes-models interfaces, where TypeScript's excess-property check rejects unknown keys at any depth.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import ts from "typescript";
// The package's main entry fails to load on Node 20; the generated serializer alone does not.
import { ObjectSerializer } from "@kubernetes/client-node/dist/gen/models/ObjectSerializer.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const [mode, ...files] = process.argv.slice(2);

const MONITORING = "monitoring.coreos.com/v1";

async function modelModule(apiVersion) {
  if (apiVersion === MONITORING) return import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1");
  return import(`kubernetes-models/${apiVersion}`);
}

/** Paths present in `input` but missing from `output` (keys the serializer's model does not know). */
function droppedKeys(input, output, at = "") {
  const dropped = [];
  if (Array.isArray(input)) {
    input.forEach((item, i) => dropped.push(...droppedKeys(item, Array.isArray(output) ? output[i] : undefined, `${at}[${i}]`)));
  } else if (input !== null && typeof input === "object") {
    for (const [key, value] of Object.entries(input)) {
      const next = output !== null && typeof output === "object" ? output[key] : undefined;
      if (next === undefined && value !== undefined && value !== null) dropped.push(`${at}.${key}`);
      else dropped.push(...droppedKeys(value, next, `${at}.${key}`));
    }
  }
  return dropped;
}

/** Type-checks `source` (a TypeScript module) under --strict in a scratch folder beside node_modules; returns the errors. */
function typeCheck(source) {
  const dir = fs.mkdtempSync(path.join(here, ".check-"));
  try {
    const file = path.join(dir, "check.ts");
    fs.writeFileSync(file, source);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || d.start === undefined) return text;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const lines = source.split("\n");
      return `line ${line + 1} (${(lines[line] ?? "").trim().slice(0, 120)}): ${text}`;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function checkManifests() {
  const objects = [];
  for (const file of files) {
    for (const doc of yaml.loadAll(fs.readFileSync(file, "utf8"))) {
      if (doc) objects.push({ file, doc });
    }
  }
  const results = [];
  const crds = [];
  for (const { file, doc } of objects) {
    const result = { file: path.basename(file), apiVersion: doc.apiVersion, kind: doc.kind, name: doc.metadata?.name, errors: [], unknownFields: [] };
    results.push(result);
    let models;
    try {
      models = await modelModule(doc.apiVersion);
    } catch {
      result.errors.push(`no schema for apiVersion ${doc.apiVersion}`);
      continue;
    }
    const Model = models[doc.kind];
    if (!Model) {
      result.errors.push(`no schema for ${doc.apiVersion} ${doc.kind}`);
      continue;
    }
    try {
      new Model(doc).validate();
    } catch (error) {
      result.errors.push(String(error.message ?? error));
    }
    if (doc.apiVersion === MONITORING) {
      crds.push({ result, doc });
    } else {
      const version = doc.apiVersion.split("/").pop();
      const type = `${version[0].toUpperCase()}${version.slice(1)}${doc.kind}`;
      const roundTrip = ObjectSerializer.serialize(ObjectSerializer.deserialize(doc, type), type);
      result.unknownFields.push(...droppedKeys(doc, roundTrip));
    }
  }
  if (crds.length > 0) {
    const lines = [`import type * as m from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";`];
    crds.forEach(({ doc }, i) => lines.push(`// object ${i}`, `export const o${i}: m.I${doc.kind} = ${JSON.stringify(doc, null, 2)};`));
    const source = lines.join("\n") + "\n";
    for (const error of typeCheck(source)) {
      // Attribute each error to the object whose literal holds the line.
      const line = Number(/^line (\d+)/.exec(error)?.[1] ?? 0);
      const upTo = source.split("\n").slice(0, line);
      const index = upTo.map((l) => /^\/\/ object (\d+)$/.exec(l)?.[1]).filter((x) => x !== undefined).pop();
      (index !== undefined ? crds[Number(index)].result : results[0]).unknownFields.push(error);
    }
  }
  const failed = results.filter((r) => r.errors.length > 0 || r.unknownFields.length > 0);
  console.log(JSON.stringify({ objects: results.length, failed: failed.length, results }, null, 2));
  return failed.length === 0;
}

function checkDashboards() {
  const lines = [`import type { Dashboard } from "@grafana/schema";`];
  files.forEach((file, i) => lines.push(`// ${path.basename(file)}`, `export const d${i}: Dashboard = ${fs.readFileSync(file, "utf8").trim()};`));
  const errors = typeCheck(lines.join("\n") + "\n");
  console.log(JSON.stringify({ dashboards: files.map((f) => path.basename(f)), errors }, null, 2));
  return errors.length === 0;
}

if (files.length === 0 || !["manifests", "dashboards"].includes(mode)) {
  console.error("usage: node check.mjs manifests <rendered.yaml>... | dashboards <dashboard.json>...");
  process.exit(2);
}
const ok = mode === "manifests" ? await checkManifests() : checkDashboards();
process.exit(ok ? 0 : 1);
