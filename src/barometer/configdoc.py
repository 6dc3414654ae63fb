"""Render docs/configuration.md from the settings tree (barometer.settings), so the reference cannot drift.

Run ``python -m barometer.configdoc > docs/configuration.md``; tests/test_settings.py fails when the committed
file is stale. Each key's type, default, description and environment variable come from its pydantic field.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from barometer.settings import Settings

INTRO = """# Configuration

Generated from the settings models (`src/barometer/settings.py`) by
`python -m barometer.configdoc > docs/configuration.md` — do not edit by hand.

Everything has a default; nothing needs configuring to run the demo.

| what | how | default |
|---|---|---|
| store folder | `barometer --store DIR` (before or after the command), `BAROMETER_STORE` | `data/` |
| settings file | `barometer --config FILE` (before or after the command), `BAROMETER_CONFIG` | none (defaults below) |
| disclosure rules file | `barometer build --disclosure-config FILE` (replaces keys of `[disclosure]`) | none |
| release served by the website | `barometer serve --release ID` or `BAROMETER_RELEASE` | the store's current release |

The settings file is TOML with the sections below; a section or key left out keeps its default. Example:

```toml
[rules]
two_indicator_rule = "lenient"

[engine]
include_student_grant = true
crime_sex = "M"

[disclosure.rates]
min_denominator = 30

[release]
publisher = "Udlændinge- og Integrationsministeriet"

[web]
page_cache_mb = 256
```

A section or key the tree does not declare is refused, naming the file, the section and the key and listing
the known keys (`s.toml: [rules] two_indicator_rul: unknown key; known keys of [rules]: two_indicator_rule,
min_indicators`), as is a value of the wrong type or out of range (`s.toml: [rules] min_indicators: Input should
be greater than or equal to 1`); the command exits with code 2 before doing anything (docs/problems.md:
`settings_unknown_key`, `settings_invalid`, `settings_unreadable`). Where a setting names an environment
variable, the variable, when set, overrides the file (and a command-line option overrides both).

The engine settings in force are recorded in every release's manifest (`docs/engine.md`), as is the digest of
the disclosure rules; the publisher is read from the release, not from the settings of whoever renders it later.
"""


def _type_name(annotation: Any) -> str:
    """A short, readable type: `bool`, `float`, `"strict" | "lenient"`, `path`, `list of str` …"""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(json.dumps(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [_type_name(a) for a in args if a is not type(None)]
        return " \\| ".join(parts) + (" (optional)" if type(None) in args else "")
    if origin is tuple:
        inner = _type_name(args[0]) if args else "any"
        return f"list of {inner}" + ("s" if not inner.startswith("list") else "")
    name = getattr(annotation, "__name__", str(annotation))
    return {"str": "text", "PosixPath": "path", "Path": "path", "int": "integer", "float": "number",
            "bool": "true \\| false"}.get(name, name)


def _toml(value: Any) -> str:
    """A default as it would be written in the settings file."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rows(model: BaseModel, prefix: str, description: str | None = None) -> list[str]:
    """One table per section (sub-sections, e.g. [disclosure.rates], get their own)."""
    fields: dict[str, FieldInfo] = type(model).model_fields
    doc = description or (type(model).__doc__ or "").strip().split("\n\n")[0]
    scalar = {n: f for n, f in fields.items() if not isinstance(getattr(model, n), BaseModel)}
    lines = [f"## [{prefix}]", ""]
    if doc:
        lines += [_cell(doc), ""]
    if scalar:
        lines += ["| key | type | default | environment | meaning |", "|---|---|---|---|---|"]
        for name, field in scalar.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            env = f"`{extra['env']}`" if extra.get("env") else ""
            lines.append(f"| `{name}` | {_type_name(field.annotation)} | `{_toml(getattr(model, name))}` | {env} | "
                         f"{_cell(field.description or '')} |")
        lines.append("")
    for name in fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            lines += _rows(value, f"{prefix}.{name}")
    return lines


def render() -> str:
    defaults = Settings()
    parts = [INTRO]
    for section, field in Settings.model_fields.items():
        # a section described on the tree (e.g. [disclosure]) rather than on its model
        lines = _rows(getattr(defaults, section), section, field.description)
        parts.append("\n".join(lines))
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
