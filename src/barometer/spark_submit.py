"""The command line as a Python file for ``spark-submit``, which runs ``.py`` files only (not console scripts).

    spark-submit --master yarn "$(python -m barometer.spark_submit --path)" build --engine spark ...

Everything after the file is the ``barometer`` command line; the session spark-submit made is the one the build
uses (its master, ``--conf`` and ``--packages``).
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--path"]:  # where this file is, for the spark-submit line
        print(__file__)
        return
    from barometer.cli import app

    app(prog_name="barometer")


if __name__ == "__main__":
    main()
