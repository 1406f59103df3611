"""A workflow step: greets `name` (default "World") `times` times (default 1,
at most 100) in the output parameter `greeting`. Replace `greet` with your
own step.

The host preopens the step's work directory as /work: the invocation is in
/work/input.json, the result goes to /work/result.json. Every problem
becomes a `Failed` result that says what is wrong.
"""

import json

from wit_world import exports

INPUT = "/work/input.json"
RESULT = "/work/result.json"


class StepError(Exception):
    """A problem with the step's input: the message of a Failed result."""


class Run(exports.Run):
    """`wasi:cli/run`: what the host calls."""

    def run(self) -> None:
        try:
            result = succeeded(greet(read_parameters()))
        except StepError as error:
            result = failed(str(error))
        with open(RESULT, "w", encoding="utf-8") as file:
            json.dump(result, file, ensure_ascii=False)


def read_parameters() -> dict:
    """The invocation's parameters, by name: the last of a name counts, and
    a null value counts as absent."""
    try:
        with open(INPUT, "rb") as file:
            invocation = json.load(file)
    except OSError as error:
        raise StepError(f"cannot read {INPUT}: {error.strerror}") from error
    except ValueError as error:
        raise StepError(f"{INPUT} is not valid JSON: {error}") from error
    parameters = invocation.get("parameters") if isinstance(invocation, dict) else None
    if not isinstance(parameters, list):
        raise StepError(f'{INPUT} has no "parameters" array')
    return {
        parameter["name"]: parameter["value"]
        for parameter in parameters
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str) and parameter.get("value") is not None
    }


def greet(parameters: dict) -> str:
    """The step: "Hello, <name>!" `times` times, separated by one space."""
    name = parameters.get("name", "World")
    if not isinstance(name, str):
        raise StepError(f'parameter "name" must be a string, got {json.dumps(name)}')
    times = times_from(parameters.get("times", 1))
    return " ".join([f"Hello, {name}!"] * times)


def times_from(value) -> int:
    """`times` from Argo's string ("3") or a JSON number (3): 1 to 100."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        n = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    else:
        n = 0
    if not 1 <= n <= 100:
        raise StepError(f'parameter "times" must be an integer from 1 to 100, got {json.dumps(value)}')
    return n


def succeeded(greeting: str) -> dict:
    return {
        "phase": "Succeeded",
        "message": "greeted",
        "outputs": {"artifacts": [], "parameters": [{"name": "greeting", "value": greeting}]},
    }


def failed(message: str) -> dict:
    return {"phase": "Failed", "message": message, "outputs": {"artifacts": [], "parameters": []}}
