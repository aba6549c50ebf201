// Validates every Kubernetes object in the YAML on standard input (e.g. `kubectl kustomize DIR | node
// validate-kubernetes.mjs`) against its API schema, offline, with kubernetes-models. Prints each object it checked
// and every schema violation; exits 1 when any object is invalid or of a kind it has no schema for.
// (The schemas check types, required fields and enumerations; they do not refuse unknown fields.)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const documents = parseAllDocuments(readFileSync(0, "utf8"));
let failures = 0;
let checked = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    console.error(`YAML error: ${document.errors.map((e) => e.message).join("; ")}`);
    failures++;
    continue;
  }

  const object = document.toJS();
  if (object === null || object === undefined) {
    continue; // an empty document (a trailing ---)
  }

  const what = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? "(no name)"}`;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    console.error(`${what}: apiVersion and kind are required`);
    failures++;
    continue;
  }

  // "apps/v1" is kubernetes-models/apps/v1, the core group's "v1" is kubernetes-models/v1.
  let model;
  try {
    model = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`))[object.kind];
  } catch {
    console.error(`${what}: no schema for this apiVersion and kind (misspelt, or not a built-in Kubernetes object)`);
    failures++;
    continue;
  }

  try {
    new model(object).validate();
    console.log(`valid    ${what}`);
    checked++;
  } catch (error) {
    console.error(`INVALID  ${what}: ${error.message}`);
    failures++;
  }
}

if (checked + failures === 0) {
  console.error("No Kubernetes objects on standard input.");
  process.exit(1);
}

console.log(`${checked} valid, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);
