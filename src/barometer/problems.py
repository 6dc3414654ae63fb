"""The one catalogue of problem kinds (``problems.toml``): code, title, description, and where each is reported.

Every problem the barometer reports — a refused setting, a register row that breaks the contract, a line of a
published CSV, a release that fails its checks, a bad web request — names one of these codes, as frictionless
does for tabular data. Declaring them once as data keeps the codes stable for scripts (``validate --json``, the
web's JSON errors), lets docs/problems.md be generated, and lets a test prove that each kind can be produced.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

SCOPES = ("cli", "settings", "registers", "published", "build", "release", "store", "web", "exports", "disclosure",
          "catalogue")
"""Where problems are reported (the CLI, the settings file, `validate`, `import-published`, ...)."""


@dataclass(frozen=True)
class ProblemKind:
    code: str
    title: str
    description: str
    scopes: tuple[str, ...]


@cache
def problem_kinds() -> dict[str, ProblemKind]:
    """Every kind by code, in the catalogue's order (the order docs/problems.md shows)."""
    data = tomllib.loads(resources.files("barometer").joinpath("problems.toml").read_text("utf-8"))
    kinds: dict[str, ProblemKind] = {}
    for code, entry in data.items():
        if set(entry) != {"title", "description", "scopes"}:
            raise ValueError(f"problems.toml [{code}]: expected keys title, description, scopes; got {sorted(entry)}")
        if bad := [s for s in entry["scopes"] if s not in SCOPES]:
            raise ValueError(f"problems.toml [{code}]: unknown scope(s) {bad}; known: {', '.join(SCOPES)}")
        kinds[code] = ProblemKind(code, entry["title"], entry["description"], tuple(entry["scopes"]))
    return kinds


def problem_kind(code: str) -> ProblemKind:
    """The kind with this code; a KeyError naming the code when the catalogue lacks it (a programming error)."""
    try:
        return problem_kinds()[code]
    except KeyError:
        raise KeyError(f"problem code {code!r} is not in problems.toml") from None


def kinds_in(scope: str) -> list[ProblemKind]:
    """The kinds reported in one scope (e.g. "registers": what `barometer validate` can report)."""
    return [k for k in problem_kinds().values() if scope in k.scopes]


def known_code(code: str) -> str:
    """``code`` if the catalogue has it (a pydantic validator for problem models); ValueError otherwise."""
    if code not in problem_kinds():
        raise ValueError(f"{code!r} is not a problem code of problems.toml")
    return code
