"""``barometer build``: compute every indicator and key figure from a register folder and publish a release.

``barometer.cli`` wires ``build`` into the main Typer app. Engine settings (SU inclusion, the 9.1 sex filter, 3.3 cohort
alignment …) come from the ``[engine]`` table of the settings file (``barometer --config FILE``), see
docs/engine.md. Bad input exits with code 2 and the validation report; nothing is published then, and the
previous release stays current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from barometer.cliapp import State, fail


def build(
    registers: Annotated[str, typer.Option(
        help="Register folder (Parquet tables + manifest.json); with --engine spark also a URI Spark reads "
             "(hdfs://, s3a://, abfss://).")],
    edition: Annotated[str, typer.Option(help="Edition to build, e.g. 2024-11.")],
    engine: Annotated[str, typer.Option(help="Computation backend: duckdb or spark (docs/engine.md).")] = "duckdb",
    spark_master: Annotated[str | None, typer.Option(
        help="With --engine spark: the master URL (local[N], spark://HOST:PORT, yarn, k8s://…); default "
             "local[2], or the running session's under spark-submit.")] = None,
    disclosure_config: Annotated[Path | None, typer.Option(
        help="Disclosure rules TOML overriding the packaged defaults (docs/disclosure.md).")] = None,
) -> None:
    """Compute the barometer from person-level registers and publish a protected release."""
    from barometer.engine.build import EngineError, RegisterInputError, step_names
    from barometer.engine.build import build as run_build
    from barometer.engine.engines import Registers
    from barometer.engine.settings import engine_settings
    from barometer.engine.spark_io import is_uri
    from barometer.registers.cli import render
    from barometer.store import StoreError, check_writable

    console = Console(stderr=True)
    if spark_master is not None and engine != "spark":
        raise fail(f"--spark-master {spark_master}: only with --engine spark")
    if not is_uri(registers) and not Path(registers).is_dir():
        raise fail(f"--registers {registers}: no such folder")
    if disclosure_config is not None and not disclosure_config.is_file():
        raise fail(f"--disclosure-config {disclosure_config}: no such file")
    settings = engine_settings()  # validated with the whole settings tree when the command line started
    where: str | Registers = registers
    if engine == "spark":  # Java, the master and the registers' folder checked before anything runs
        from barometer.engine.engines import locate
        from barometer.engine.spark import preflight

        try:
            preflight(spark_master)
            where = locate(registers, engine, spark_master)
        except EngineError as exc:  # one line: what is wrong, and that nothing happened
            raise EngineError(f"{exc}; nothing was published", code=exc.code) from exc
    check_writable(State.store)  # a read-only store fails now, not after minutes of computing
    steps = step_names()
    with Progress(TextColumn("{task.description:<16}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(steps[0], total=len(steps))
        done: set[str] = set()

        def tick(step: str) -> None:  # validation ends during the compute's steps (docs/engine.md): count them
            done.add(step)
            waiting = [s for s in steps if s not in done]
            bar.update(task, completed=len(done), description=waiting[0] if waiting else "done")

        try:
            result = run_build(where, edition, engine, settings, store=State.store,
                               disclosure_config=disclosure_config, progress=tick, spark_master=spark_master)
        except RegisterInputError as exc:
            bar.stop()
            render(exc.report, Console(stderr=True, width=200))
            raise
        except EngineError as exc:
            raise EngineError(f"{exc}\nNothing was published.", code=exc.code) from exc
        except StoreError:
            bar.stop()  # the error line goes below the progress bar, not into it
            raise
    for message in result.warnings:
        console.print(f"[yellow]warning:[/] {message}", highlight=False)
    summary = result.disclosure_summary
    Console().print(f"Published release [bold]{result.release.id}[/] ({result.observations.num_rows} "
                    f"observations; {summary.primary} suppressed for small numbers, {summary.secondary} more to "
                    "prevent recovery by subtraction)", highlight=False)
