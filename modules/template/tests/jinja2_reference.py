"""Renders template cases with Python's jinja2, the reference the module is
checked against (tests/against_jinja2.rs runs it).

Reads from stdin a JSON object: "context" (the variables), "includes" (name
to text: the templates a case may include, import or extend) and "cases"
(each with "name", "template" and "options": undefined, autoescape,
trim_blocks, lstrip_blocks, keep_trailing_newline). Writes to stdout a JSON
object of case name to {"output": text} or {"error": message}.
"""

import json
import sys

try:
    import jinja2
except ImportError:
    sys.exit("the Python module jinja2 is missing: pip install jinja2")


def render(case, context, includes):
    options = case["options"]
    environment = jinja2.Environment(
        loader=jinja2.DictLoader(includes),
        undefined=jinja2.Undefined if options.get("undefined") == "lenient" else jinja2.StrictUndefined,
        autoescape=options.get("autoescape", False),
        trim_blocks=options.get("trim_blocks", False),
        lstrip_blocks=options.get("lstrip_blocks", False),
        keep_trailing_newline=options.get("keep_trailing_newline", False),
    )
    try:
        return {"output": environment.from_string(case["template"]).render(context)}
    except Exception as error:  # the case's failure is its result
        return {"error": f"{type(error).__name__}: {error}"}


def main():
    request = json.load(sys.stdin)
    results = {case["name"]: render(case, request["context"], request["includes"]) for case in request["cases"]}
    json.dump({"jinja2": jinja2.__version__, "results": results}, sys.stdout, ensure_ascii=False)


main()
