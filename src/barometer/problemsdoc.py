"""Render docs/problems.md from the problem catalogue (``problems.toml``) and the error classes.

Run ``python -m barometer.problemsdoc > docs/problems.md``; tests/test_problems.py fails when the committed file
is stale.
"""

from __future__ import annotations

import importlib

from barometer.errors import BarometerError
from barometer.problems import SCOPES, problem_kinds

# Modules that declare the error classes (imported so that every subclass of BarometerError is listed).
ERROR_MODULES = (
    "barometer.settings", "barometer.disclosure_config", "barometer.periods", "barometer.catalogue.load",
    "barometer.registers.contract", "barometer.registers.manifest", "barometer.sources.published",
    "barometer.store.releases", "barometer.store.schema", "barometer.engine.build", "barometer.engine.spark_setup",
    "barometer.exports.registry", "barometer.synth.generate",
    "barometer.web.geo", "barometer.web.holder", "barometer.web.render",
)

SCOPE_WORDS = {
    "cli": "command line", "settings": "settings", "registers": "`validate`, `build`",
    "published": "`import-published`", "build": "`build`", "release": "release checks", "store": "store",
    "web": "website and API", "exports": "`export`, downloads", "disclosure": "disclosure rules",
    "catalogue": "packaged data",
}

INTRO = """# Problems

Generated from `src/barometer/problems.toml` and the error classes by
`python -m barometer.problemsdoc > docs/problems.md` — do not edit by hand.

Every problem the barometer reports has a code from one catalogue, as frictionless does for tabular data: a
refused setting, a register that breaks the contract (`barometer validate`, docs/data-contract.md), a line of a
published CSV (`barometer import-published`, docs/published-csv.md), a release that fails its checks, a bad web
request. The code is stable; scripts can rely on it instead of the message's words:

- the command line prints `error: MESSAGE` and exits with the error's exit code (2: input or arguments you can
  correct; 1: a failure the arguments did not cause); `validate --json` gives each problem's `kind`;
- a published CSV's problems are listed as `FILE:LINE: reason [code]`;
- the website and API answer with the error's HTTP status, and JSON answers carry
  `{"error": {"status": …, "code": …, "message": …}}` (plus `parameter` for a bad parameter).
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _error_classes() -> list[type[BarometerError]]:
    for module in ERROR_MODULES:
        importlib.import_module(module)
    found: list[type[BarometerError]] = []
    todo: list[type[BarometerError]] = [BarometerError]
    while todo:
        cls = todo.pop(0)
        found.append(cls)
        todo += sorted(cls.__subclasses__(), key=lambda c: c.__name__)
    return found


def render() -> str:
    lines = [INTRO, "## Kinds of problem", "",
             "| code | title | meaning | reported by |", "|---|---|---|---|"]
    for kind in problem_kinds().values():
        where = ", ".join(SCOPE_WORDS[s] for s in SCOPES if s in kind.scopes)
        lines.append(f"| `{kind.code}` | {kind.title} | {_cell(kind.description)} | {where} |")
    lines += ["", "## Errors", "",
              "The error classes, with the code, exit code and HTTP status they carry unless the place that raises",
              "one gives another (e.g. `StoreError` with `no_release`, or `unknown_release` and 404).", "",
              "| error | module | default code | exit code | HTTP status | meaning |", "|---|---|---|---|---|---|"]
    for cls in _error_classes():
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        lines.append(f"| `{cls.__name__}` | `{cls.__module__}` | `{cls.code}` | {cls.exit_code} | "
                     f"{cls.http_status} | {_cell(doc)} |")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
