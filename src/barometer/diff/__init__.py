"""Release diff: what changed between two releases in the store (`barometer diff`, the API's diff route)."""

from barometer.diff.compare import (
    CellChange,
    MovementChange,
    ProvenanceChange,
    ReleaseDiff,
    diff_cells,
    diff_provenance,
    diff_releases,
)

__all__ = ["CellChange", "MovementChange", "ProvenanceChange", "ReleaseDiff", "diff_cells", "diff_provenance",
           "diff_releases"]
