// A workflow step: greets `name` (default "World") `times` times (default
// 1, at most 100) in the output parameter `greeting`. Replace `greet` with
// your own step.
//
// The host preopens the step's work directory as /work: the invocation is in
// /work/input.json, the result goes to /work/result.json. Every problem
// becomes a `Failed` result that says what is wrong.

import { JSON } from "json-as";
import { validateJSON } from "json-as/assembly/util/validateJson";
import { readFile, writeFile } from "./work";

@json
class Artifact {
  name: string = "";
  path: string = "";
}

@json
class OutputParameter {
  name: string = "";
  value: string = "";
}

@json
class Outputs {
  artifacts: Artifact[] = [];
  parameters: OutputParameter[] = [];
}

/** /work/result.json. */
@json
class Result {
  phase: string = "";
  message: string = "";
  outputs: Outputs = new Outputs();
}

/** What the step makes of its parameters: the greeting, or why there is none. */
class Outcome {
  constructor(
    public greeting: string | null,
    public problem: string | null,
  ) {}
}

function failed(message: string): Result {
  const result = new Result();
  result.phase = "Failed";
  result.message = message;
  return result;
}

/** Reads the invocation and runs the step on it. */
function run(): Result {
  const input = readFile("input.json");
  if (input.error != null) return failed(input.error!);
  // An AssemblyScript program cannot catch errors, so the document is
  // checked before it is parsed.
  if (!validateJSON(input.text!)) return failed("/work/input.json is not valid JSON");
  const invocation = JSON.parse<JSON.Value>(input.text!);
  if (invocation.type != JSON.Types.Object) return failed("/work/input.json is not a JSON object");
  const parameters = invocation.get<JSON.Obj>().get("parameters");
  if (parameters == null || parameters.type != JSON.Types.Array) {
    return failed('/work/input.json has no "parameters" array');
  }

  const outcome = greet(parameters.get<JSON.Arr>());
  if (outcome.problem != null) return failed(outcome.problem!);
  const greeting = new OutputParameter();
  greeting.name = "greeting";
  greeting.value = outcome.greeting!;
  const result = new Result();
  result.phase = "Succeeded";
  result.message = "greeted";
  result.outputs.parameters.push(greeting);
  return result;
}

/** The step: "Hello, <name>!" `times` times, separated by one space. */
function greet(parameters: JSON.Arr): Outcome {
  const nameValue = find(parameters, "name");
  if (nameValue != null && nameValue.type != JSON.Types.String) {
    return new Outcome(null, `parameter "name" must be a string, got ${JSON.stringify(nameValue)}`);
  }
  const name = nameValue != null ? nameValue.get<string>() : "World";

  const timesValue = find(parameters, "times");
  const times = timesValue != null ? timesFrom(timesValue) : 1;
  if (times == 0) {
    return new Outcome(null, `parameter "times" must be an integer from 1 to 100, got ${JSON.stringify(timesValue)}`);
  }

  const hellos = new Array<string>(times);
  for (let i = 0; i < times; i++) hellos[i] = `Hello, ${name}!`;
  return new Outcome(hellos.join(" "), null);
}

/** The value of the last parameter called `name`; a null value counts as absent. */
function find(parameters: JSON.Arr, name: string): JSON.Value | null {
  let found: JSON.Value | null = null;
  for (let i = 0; i < parameters.length; i++) {
    if (parameters.at(i).type != JSON.Types.Object) continue;
    const parameter = parameters.at(i).get<JSON.Obj>();
    const parameterName = parameter.get("name");
    const value = parameter.get("value");
    if (
      parameterName != null && parameterName.type == JSON.Types.String && parameterName.get<string>() == name &&
      value != null && value.type != JSON.Types.Null
    ) {
      found = value;
    }
  }
  return found;
}

/** `times` from Argo's string ("3") or a JSON number (3): 1 to 100, or 0. */
function timesFrom(value: JSON.Value): i32 {
  let n: f64 = 0;
  if (value.type == JSON.Types.String) {
    const text = value.get<string>();
    if (text.length == 0 || text.length > 3) return 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return 0;
    }
    n = I32.parseInt(text);
  } else if (value.type == JSON.Types.F64) {
    n = value.get<f64>();
  } else {
    return 0;
  }
  return n >= 1 && n <= 100 && Math.floor(n) == n ? <i32>n : 0;
}

const error = writeFile("result.json", JSON.stringify(run()));
if (error != null) {
  console.error(error!);
  process.exit(1);
}
