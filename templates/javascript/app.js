// A workflow step: greets `name` (default "World") `times` times (default
// 1, at most 100) in the output parameter `greeting`. Given `url`, it also
// sends an HTTP GET there and returns the response's `status_code` and
// `body`: the host sends it only to the hosts the workflow allows. Replace
// `greet` (and `httpGet`, if the step needs no network) with your own step.
//
// The host preopens the step's work directory as /work: the invocation is in
// /work/input.json, the result goes to /work/result.json. Every problem
// becomes a `Failed` result that says what is wrong.

import { getDirectories } from "wasi:filesystem/preopens@0.2.12";
import { handle } from "wasi:http/outgoing-handler@0.2.12";
import { Fields, OutgoingRequest } from "wasi:http/types@0.2.12";

class StepError extends Error {}

// `wasi:cli/run`: what the host calls.
export const run = {
  run() {
    let result;
    try {
      const parameters = readParameters();
      result = succeeded(greet(parameters));
      if (parameters.has("url")) {
        const { statusCode, body } = httpGet(parameters.get("url"));
        result.outputs.parameters.push({ name: "status_code", value: statusCode }, { name: "body", value: body });
      }
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      result = failed(error.message);
    }
    writeFile("result.json", JSON.stringify(result));
  },
};

// The invocation's parameters, by name: the last of a name counts, and a
// null value counts as absent.
function readParameters() {
  let invocation;
  try {
    invocation = JSON.parse(readFile("input.json"));
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(`/work/input.json is not valid JSON: ${error.message}`);
  }
  const parameters = invocation?.parameters;
  if (!Array.isArray(parameters)) throw new StepError('/work/input.json has no "parameters" array');
  const found = new Map();
  for (const parameter of parameters) {
    if (typeof parameter?.name === "string" && parameter.value != null) found.set(parameter.name, parameter.value);
  }
  return found;
}

// The step: "Hello, <name>!" `times` times, separated by one space.
function greet(parameters) {
  const name = parameters.has("name") ? parameters.get("name") : "World";
  if (typeof name !== "string") {
    throw new StepError(`parameter "name" must be a string, got ${JSON.stringify(name)}`);
  }
  const times = timesFrom(parameters.has("times") ? parameters.get("times") : 1);
  return Array(times).fill(`Hello, ${name}!`).join(" ");
}

// `times` from Argo's string ("3") or a JSON number (3): 1 to 100.
function timesFrom(value) {
  const n = typeof value === "string" && /^[0-9]{1,3}$/.test(value) ? Number(value) : value;
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new StepError(`parameter "times" must be an integer from 1 to 100, got ${JSON.stringify(value)}`);
  }
  return n;
}

// GETs `url` through wasi:http: its status and its body as text.
function httpGet(url) {
  let parts;
  try {
    parts = typeof url === "string" ? new URL(url) : undefined;
  } catch {}
  if (!parts || !["http:", "https:"].includes(parts.protocol) || !parts.host) {
    throw new StepError(`parameter "url" must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
  }
  const request = new OutgoingRequest(new Fields());
  request.setScheme({ tag: parts.protocol === "https:" ? "HTTPS" : "HTTP" });
  request.setAuthority(parts.host);
  request.setPathWithQuery(parts.pathname + parts.search);
  let future;
  try {
    future = handle(request, undefined);
  } catch (error) {
    throw new StepError(httpFailure(url, error.payload));
  }
  future.subscribe().block();
  const outcome = future.get().val; // ready: the response, or the error that came instead
  if (outcome.tag === "err") throw new StepError(httpFailure(url, outcome.val));
  const response = outcome.val;
  const statusCode = response.status();
  const stream = response.consume().stream();
  const chunks = [];
  for (;;) {
    try {
      chunks.push(stream.blockingRead(65536n));
    } catch (error) {
      if (error.payload?.tag === "closed") break;
      throw new StepError(`reading the response from ${url} failed`);
    }
  }
  return { statusCode, body: new TextDecoder().decode(concat(chunks)) };
}

// What a wasi:http error code means, for the step's message.
function httpFailure(url, code) {
  switch (code?.tag) {
    case "HTTP-request-denied":
      return (
        `the host refused to send the request to ${url}: its origin is not an allowed host of this step; ` +
        "allow it in the workflow template under plugin.wasm.permissions.http.allowed_hosts"
      );
    case "connection-refused":
      return `the request to ${url} failed: the connection was refused`;
    default:
      return `the request to ${url} failed: ${code?.tag ?? code}`;
  }
}

function succeeded(greeting) {
  return {
    phase: "Succeeded",
    message: "greeted",
    outputs: { artifacts: [], parameters: [{ name: "greeting", value: greeting }] },
  };
}

function failed(message) {
  return { phase: "Failed", message, outputs: { artifacts: [], parameters: [] } };
}

// Files in /work, through wasi:filesystem (there is no `fs` module here).
function workDirectory() {
  const found = getDirectories().find(([, path]) => path === "/work");
  if (!found) throw new Error("the host did not preopen /work");
  return found[0];
}

function readFile(path) {
  let file;
  try {
    file = workDirectory().openAt({}, path, {}, { read: true });
  } catch (error) {
    throw new StepError(`cannot read /work/${path}: ${error.payload ?? error}`);
  }
  const chunks = [];
  for (let offset = 0n; ; ) {
    const [chunk, end] = file.read(65536n, offset);
    chunks.push(chunk);
    offset += BigInt(chunk.length);
    if (end || chunk.length === 0) break;
  }
  return new TextDecoder().decode(concat(chunks));
}

function writeFile(path, text) {
  const file = workDirectory().openAt({}, path, { create: true, truncate: true }, { write: true });
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length; ) {
    offset += Number(file.write(bytes.subarray(offset), BigInt(offset)));
  }
}

function concat(chunks) {
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
