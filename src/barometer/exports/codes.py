"""The status flags every figure carries, with their words and their SDMX codes, declared once.

SDMX codes follow the SDMX code lists CL_OBS_STATUS (version 2.2) and CL_CONF_STATUS (1.2): a figure withheld by
disclosure control is "Q" (missing value; suppressed) with confidentiality "C" (confidential statistical
information); a figure the barometer does not compute for an area is "M" (missing value; data cannot exist).
"""

from __future__ import annotations

from dataclasses import dataclass

from barometer.store import Status


@dataclass(frozen=True)
class StatusCode:
    flag: str
    da: str
    en: str
    obs_status: str  # CL_OBS_STATUS
    obs_status_name: str
    conf_status: str  # CL_CONF_STATUS
    conf_status_name: str

    def label(self, lang: str = "da") -> str:
        return self.en if lang == "en" else self.da


STATUS_CODES: dict[str, StatusCode] = {c.flag: c for c in (
    StatusCode(Status.OK.value, "Offentliggjort", "Published", "A", "Normal value", "F", "Free"),
    StatusCode(Status.SUPPRESSED.value, "Udeladt af hensyn til diskretion (for få personer)",
               "Withheld for confidentiality (too few persons)", "Q", "Missing value; suppressed",
               "C", "Confidential statistical information"),
    StatusCode(Status.NOT_COMPUTED.value, "Opgøres ikke for dette område", "Not computed for this area", "M",
               "Missing value; data cannot exist", "F", "Free"),
    StatusCode(Status.MISSING.value, "Ikke tilgængelig", "Not available", "O", "Missing value", "F", "Free"),
)}

# A note on an empty (withheld) cell, as the website words it.
SUPPRESSED_NOTE = {
    "da": "Tallet er udeladt af hensyn til diskretion (for få personer).",
    "en": "The figure is withheld for confidentiality (too few persons).",
}


def status_code(flag: str) -> StatusCode:
    try:
        return STATUS_CODES[flag]
    except KeyError:
        raise ValueError(f"unknown status flag {flag!r}: expected one of {', '.join(STATUS_CODES)}") from None
