"""A workflow step: greets `name` (default "World") `times` times (default 1,
at most 100) in the output parameter `greeting`. Given `url`, it also sends
an HTTP GET there and returns the response's `status_code` and `body`: the
host sends it only to the hosts the workflow allows. Replace `greet` (and
`http_get`, if the step needs no network) with your own step.

The host preopens the step's work directory as /work: the invocation is in
/work/input.json, the result goes to /work/result.json. Every problem
becomes a `Failed` result that says what is wrong.
"""

import json
from urllib.parse import urlsplit

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import outgoing_handler, streams
from wit_world.imports import wasi_http_types as http

INPUT = "/work/input.json"
RESULT = "/work/result.json"


class StepError(Exception):
    """A problem with the step's input: the message of a Failed result."""


class Run(exports.Run):
    """`wasi:cli/run`: what the host calls."""

    def run(self) -> None:
        try:
            parameters = read_parameters()
            result = succeeded(greet(parameters))
            url = parameters.get("url")
            if url is not None:
                status_code, body = http_get(url)
                result["outputs"]["parameters"] += [
                    {"name": "status_code", "value": status_code},
                    {"name": "body", "value": body},
                ]
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


def http_get(url) -> tuple[int, str]:
    """GETs `url` through wasi:http: its status and its body as text."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise StepError(f'parameter "url" must be an http:// or https:// URL, got {json.dumps(url)}')
    request = http.OutgoingRequest(http.Fields())
    request.set_scheme(http.Scheme_Https() if parts.scheme == "https" else http.Scheme_Http())
    request.set_authority(parts.netloc)
    request.set_path_with_query((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
    try:
        future = outgoing_handler.handle(request, None)
    except Err as error:
        raise StepError(http_failure(url, error.value)) from None
    # Resources are dropped child first (stream, body, response), as wasi:http requires.
    with future:
        with future.subscribe() as ready:
            ready.block()
        outcome = future.get().value  # ready: Ok(the response, or the error that came instead)
    if isinstance(outcome, Err):
        raise StepError(http_failure(url, outcome.value))
    with outcome.value as response:
        status_code = response.status()
        with response.consume() as body, body.stream() as stream:
            chunks = []
            while True:
                try:
                    chunks.append(stream.blocking_read(65536))
                except Err as error:
                    if isinstance(error.value, streams.StreamError_Closed):
                        break
                    raise StepError(f"reading the response from {url} failed") from None
    return status_code, b"".join(chunks).decode("utf-8", errors="replace")


def http_failure(url: str, code) -> str:
    """What a wasi:http error code means, for the step's message."""
    if isinstance(code, http.ErrorCode_HttpRequestDenied):
        return (
            f"the host refused to send the request to {url}: its origin is not an allowed host of this step; "
            "allow it in the workflow template under plugin.wasm.permissions.http.allowed_hosts"
        )
    if isinstance(code, http.ErrorCode_ConnectionRefused):
        return f"the request to {url} failed: the connection was refused"
    return f"the request to {url} failed: {type(code).__name__.removeprefix('ErrorCode_')}"


def succeeded(greeting: str) -> dict:
    return {
        "phase": "Succeeded",
        "message": "greeted",
        "outputs": {"artifacts": [], "parameters": [{"name": "greeting", "value": greeting}]},
    }


def failed(message: str) -> dict:
    return {"phase": "Failed", "message": message, "outputs": {"artifacts": [], "parameters": []}}
