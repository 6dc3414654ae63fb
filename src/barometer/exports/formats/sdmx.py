"""SDMX: a data structure definition (SDMX-ML 2.1 structure message, written with sdmx1) and the data as
SDMX-CSV 2.0.

The structure declares code lists for the areas (CL_AREA), the items (CL_ITEM), the units (CL_UNIT) and —
taken from the SDMX code lists — the observation status (CL_OBS_STATUS 2.2: a withheld figure is "Q",
missing value; suppressed) and the confidentiality status (CL_CONF_STATUS 1.2: "C", confidential), a concept
scheme, the DSD (dimensions AREA, ITEM, TIME_PERIOD; primary measure OBS_VALUE; attributes) and a dataflow.
SDMX ids may not contain dots, so an item id "1.2" is the code "1_2" (its name keeps "1.2").
Periods are written in SDMX's reporting formats: 2022, 2024-Q2, 2024-08, 2024-08-31, and a range
2024-01/2024-09 as 2024-01-01/P9M.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from barometer.catalogue import load_catalogue
from barometer.exports.codes import STATUS_CODES
from barometer.exports.model import Export
from barometer.exports.registry import ReleaseWriter, Renderer, register_renderer, register_writer
from barometer.exports.release import release_export, write_atomically
from barometer.store import Release

AGENCY = "DK_UIM"  # Udlændinge- og Integrationsministeriet, as maintainer of the barometer's structures
VERSION = "1.0"
DATAFLOW = "DF_INTEGRATIONSBAROMETER"
DSD_ID = "DSD_INTEGRATIONSBAROMETER"
STRUCTURE_ID = f"{AGENCY}:{DATAFLOW}({VERSION})"
CSV_MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"
STRUCTURE_MEDIA_TYPE = "application/vnd.sdmx.structure+xml; version=2.1"
UNIT_CODES = {"pct": ("PCT", "Procent", "Per cent"), "pct_point": ("PCT_POINT", "Procentpoint", "Percentage points"),
              "count": ("COUNT", "Antal", "Number")}
# Observation-level numbers beside OBS_VALUE (SDMX 2.1 has one primary measure): published columns -> attribute.
NUMBER_ATTRIBUTES = {"ci_low": "CI_LOW", "ci_high": "CI_HIGH", "numerator": "NUMERATOR",
                     "denominator": "DENOMINATOR", "ref_numerator": "REF_NUMERATOR",
                     "ref_denominator": "REF_DENOMINATOR", "published_development": "PUBLISHED_DEVELOPMENT"}
CONCEPTS = {
    "AREA": ("Område", "Area"), "ITEM": ("Indikator/nøgletal", "Indicator/key figure"),
    "TIME_PERIOD": ("Periode", "Time period"), "OBS_VALUE": ("Værdi", "Observation value"),
    "UNIT_MEASURE": ("Enhed", "Unit of measure"), "DECIMALS": ("Decimaler", "Decimals"),
    "OBS_STATUS": ("Observationsstatus", "Observation status"),
    "CONF_STATUS": ("Fortrolighedsstatus", "Confidentiality status"),
    "CI_LOW": ("Nedre grænse (95 %)", "Lower bound (95 %)"), "CI_HIGH": ("Øvre grænse (95 %)", "Upper bound (95 %)"),
    "NUMERATOR": ("Tæller", "Numerator"), "DENOMINATOR": ("Nævner", "Denominator"),
    "REF_NUMERATOR": ("Tæller, referencegruppe", "Numerator, reference group"),
    "REF_DENOMINATOR": ("Nævner, referencegruppe", "Denominator, reference group"),
    "PUBLISHED_DEVELOPMENT": ("Offentliggjort udvikling", "Published development"),
    "RELEASE": ("Udgivelse", "Release"), "LICENCE": ("Licens", "Licence"), "SOURCE": ("Kilde", "Source"),
}


def sdmx_item(item_id: str) -> str:
    return item_id.replace(".", "_")


def sdmx_period(code: str) -> str:
    """A canonical period code in SDMX's reporting format."""
    if "/" in code:
        start, end = code.split("/")
        (y0, m0), (y1, m1) = (map(int, start.split("-")[:2]), map(int, end.split("-")[:2]))
        months = (y1 - y0) * 12 + (m1 - m0) + 1
        return f"{y0:04d}-{m0:02d}-01/P{months}M"
    if "Q" in code:
        year, quarter = code.split("Q")
        return f"{year}-Q{quarter}"
    return code


def _name(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}


def structure_message(meta_release: str | None, source: str, licence: str) -> Any:
    """The SDMX-ML 2.1 structure message: code lists, concepts, the DSD and the dataflow (sdmx1 objects)."""
    import sdmx.message
    from sdmx.model import common, v21

    catalogue = load_catalogue()
    agency = common.Agency(id=AGENCY, name=_name("Udlændinge- og Integrationsministeriet",
                                                 "Ministry of Immigration and Integration"))
    ma: dict[str, Any] = {"maintainer": agency, "version": VERSION, "is_final": True}

    def codelist(cl_id: str, name: tuple[str, str], codes: list[tuple[str, str, str]], **kw: Any) -> Any:
        cl = common.Codelist(id=cl_id, name=_name(*name), **(ma | kw))
        for code_id, da, en in codes:
            cl.append(common.Code(id=code_id, name=_name(da, en)))
        return cl

    sdmx_agency = common.Agency(id="SDMX")
    cl_area = codelist("CL_AREA", ("Områder", "Areas"),
                       [(a.code, a.display_name("da"), a.display_name("en")) for a in catalogue.areas])
    cl_item = codelist("CL_ITEM", ("Indikatorer og nøgletal", "Indicators and key figures"),
                       [(sdmx_item(i.id), f"{i.id} {i.title_da}", f"{i.id} {i.title_en}")
                        for i in (*catalogue.indicators, *catalogue.key_figures)])
    cl_unit = codelist("CL_UNIT", ("Enheder", "Units"), list(UNIT_CODES.values()))
    obs_status = {c.obs_status: c.obs_status_name for c in STATUS_CODES.values()}
    conf_status = {c.conf_status: c.conf_status_name for c in STATUS_CODES.values()}
    cl_obs = codelist("CL_OBS_STATUS", ("Observation status", "Observation status"),
                      [(k, v, v) for k, v in obs_status.items()], maintainer=sdmx_agency, version="2.2",
                      is_partial=True)
    cl_conf = codelist("CL_CONF_STATUS", ("Confidentiality status", "Confidentiality status"),
                       [(k, v, v) for k, v in conf_status.items()], maintainer=sdmx_agency, version="1.2",
                       is_partial=True)
    cs = common.ConceptScheme(id="CS_INTEGRATIONSBAROMETER", name=_name("Begreber", "Concepts"), **ma)
    for concept_id, (da, en) in CONCEPTS.items():
        cs.append(common.Concept(id=concept_id, name=_name(da, en)))

    def rep(cl: Any) -> Any:
        return common.Representation(enumerated=cl)

    dsd = v21.DataStructureDefinition(id=DSD_ID, name=_name("Integrationsbarometeret", "The integration barometer"),
                                      **ma)
    area = common.Dimension(id="AREA", concept_identity=cs["AREA"], local_representation=rep(cl_area), order=1)
    item = common.Dimension(id="ITEM", concept_identity=cs["ITEM"], local_representation=rep(cl_item), order=2)
    time = common.TimeDimension(id="TIME_PERIOD", concept_identity=cs["TIME_PERIOD"], order=3)
    for dim in (area, item, time):
        dsd.dimensions.append(dim)
    dsd.measures.append(v21.PrimaryMeasure(id="OBS_VALUE", concept_identity=cs["OBS_VALUE"]))

    def attribute(attr_id: str, related: Any, mandatory: bool, cl: Any = None) -> None:
        dsd.attributes.append(common.DataAttribute(
            id=attr_id, concept_identity=cs[attr_id], related_to=related,
            usage_status=common.UsageStatus.mandatory if mandatory else common.UsageStatus.conditional,
            local_representation=rep(cl) if cl is not None else None))

    by_item = common.DimensionRelationship(dimensions=[item])
    attribute("UNIT_MEASURE", by_item, True, cl_unit)
    attribute("DECIMALS", by_item, False)
    attribute("OBS_STATUS", v21.PrimaryMeasureRelationship(), True, cl_obs)
    attribute("CONF_STATUS", v21.PrimaryMeasureRelationship(), True, cl_conf)
    for attr_id in NUMBER_ATTRIBUTES.values():
        attribute(attr_id, v21.PrimaryMeasureRelationship(), False)
    for attr_id in ("RELEASE", "LICENCE", "SOURCE"):
        attribute(attr_id, v21.NoSpecifiedRelationship(), True)
    dataflow = v21.DataflowDefinition(id=DATAFLOW, name=_name("Integrationsbarometeret", "The integration barometer"),
                                      structure=dsd, **ma)
    dataflow.annotations.append(v21.Annotation(id="LICENCE", type="LICENCE", text=licence))
    dataflow.annotations.append(v21.Annotation(id="SOURCE", type="SOURCE", text=source))
    if meta_release:
        dataflow.annotations.append(v21.Annotation(id="RELEASE", type="RELEASE", text=meta_release))
    header = sdmx.message.Header(id=f"IB_{(meta_release or 'STRUCTURE').replace('-', '_')}",
                                 prepared=datetime.now(UTC).replace(microsecond=0), sender=agency, source=source)
    msg = sdmx.message.StructureMessage(header=header)
    for obj in (cl_area, cl_item, cl_unit, cl_obs, cl_conf, cs, dsd, dataflow):
        msg.add(obj)
    return msg


def render_structure(release: str | None, source: str, licence: str) -> bytes:
    import sdmx

    return sdmx.to_xml(structure_message(release, source, licence), pretty_print=True)


def _number(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def render_sdmx_csv(export: Export) -> bytes:
    """SDMX-CSV 2.0: STRUCTURE, STRUCTURE_ID, ACTION, the dimensions, OBS_VALUE and the attributes; one row per
    observation, numbers only for published figures, and only the number columns the given table has."""
    catalogue = load_catalogue()
    rows = export.observation_rows()
    present = {c for t in export.tables if t.is_observations for c in t.columns}
    numbers = [(col, attr) for col, attr in NUMBER_ATTRIBUTES.items() if col in present]
    header = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "AREA", "ITEM", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE",
              "DECIMALS", "OBS_STATUS", "CONF_STATUS", *(a for _, a in numbers), "RELEASE", "LICENCE", "SOURCE"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    meta = export.meta
    for row in sorted(rows, key=lambda r: (r["area_code"], r["item_id"], r["period"])):
        code = STATUS_CODES[row["status"]]
        ok = row["status"] == "ok"  # an unpublished figure has no number in any column
        item = catalogue.item(row["item_id"]) if catalogue.has_item(row["item_id"]) else None
        writer.writerow([
            "dataflow", STRUCTURE_ID, "I", row["area_code"], sdmx_item(row["item_id"]), sdmx_period(row["period"]),
            _number(row.get("value")) if ok else "", UNIT_CODES[item.unit][0] if item else "",
            str(item.decimals) if item else "", code.obs_status, code.conf_status,
            *(_number(row.get(col)) if ok else "" for col, _ in numbers),
            meta.release or "", meta.licence, meta.source])
    return buf.getvalue().encode("utf-8")


SDMX_CSV = register_renderer(Renderer(
    name="sdmx-csv", extension="sdmx.csv", media_type=CSV_MEDIA_TYPE, label="SDMX-CSV", render=render_sdmx_csv,
    observations_only=True, description="SDMX-CSV 2.0 data for the structure of `barometer export --format sdmx`"))


def write_release_sdmx(release: Release, out_dir: Path) -> list[Path]:
    export = release_export(release)
    export.tables = export.tables[:1]
    stem = f"integrationsbarometer-{release.id}"
    structure = render_structure(release.id, export.meta.source, export.meta.licence)
    return [write_atomically(out_dir / f"{stem}.structure.xml", structure),
            write_atomically(out_dir / f"{stem}.sdmx.csv", render_sdmx_csv(export))]


register_writer(ReleaseWriter("sdmx", "SDMX-ML 2.1 structure (code lists, DSD, dataflow) and the data as SDMX-CSV",
                              write_release_sdmx))
