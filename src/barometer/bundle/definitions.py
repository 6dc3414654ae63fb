"""The definitions a release's bundle ships (``definitions/indicators.md``), from the release's own manifest.

A release records how each item was defined when it was made (barometer.store.manifest): the catalogue's words
in Danish and English, and who computed the figures — this code (with the SQL's checksum and the register tables
it read) or the ministry (imported published figures: the published definitions, no SQL). The bundle publishes
that record, never the definitions of the code that happens to build the zip.
"""

from __future__ import annotations

from barometer.store import Release

FIELDS = (("population", "Population", "Population"), ("numerator", "Tæller", "Numerator"),
          ("denominator", "Nævner", "Denominator"), ("reference", "Opgørelsestidspunkt", "Reference dates"),
          ("source", "Kilde", "Source"))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_release_definitions(release: Release) -> str:
    meta = release.meta
    catalogue = release.catalogue
    lines = [f"# Definitioner / definitions — udgivelse / release `{release.id}`", "",
             "Som udgivelsen registrerede dem, da den blev lavet (dens manifest) / as the release recorded them "
             "when it was made (its manifest).", ""]
    if not meta.definitions:
        lines += ["Udgivelsen er lavet, før udgivelser registrerede deres definitioner. / The release was made "
                  "before releases recorded their definitions.", ""]
        return "\n".join(lines)
    for item in (*catalogue.indicators, *catalogue.key_figures):
        recorded = meta.definitions.get(item.id)
        lines += [f"## {item.id} {item.title_da}", "", f"*{item.title_en}*", ""]
        if recorded is None:
            lines += ["Ikke registreret / not recorded.", ""]
            continue
        lines += ["| | Dansk | English |", "|---|---|---|"]
        da, en = recorded.words.get("da"), recorded.words.get("en")
        for name, label_da, label_en in FIELDS:
            a = getattr(da, name) if da else ""
            b = getattr(en, name) if en else ""
            lines.append(f"| {label_da} / {label_en} | {_cell(a)} | {_cell(b)} |")
        if recorded.origin == "engine":
            origin = ("beregnet fra registerdata / computed from register data; SQL sha256 "
                      f"`{recorded.sql_sha256}`; tabeller / tables: " + ", ".join(f"`{t}`" for t in recorded.tables))
        else:
            origin = ("ministeriets offentliggjorte tal, importeret; definitionerne er de offentliggjorte / the "
                      "ministry's published figures, imported; the definitions are the published ones")
        lines += [f"| Beregnet / computed | {origin} | |", ""]
    return "\n".join(lines).rstrip() + "\n"
