"""Release store: immutable, atomically published sets of observations."""

from barometer.store.releases import (
    Release,
    StoreError,
    current_release_id,
    list_releases,
    open_release,
    publish,
    resolve_store,
    set_current,
)
from barometer.store.schema import (
    OBSERVATION_SCHEMA,
    ReleaseCheckError,
    Status,
    check_observations,
    observation_table,
)

__all__ = [
    "OBSERVATION_SCHEMA",
    "Release",
    "ReleaseCheckError",
    "Status",
    "StoreError",
    "check_observations",
    "current_release_id",
    "list_releases",
    "observation_table",
    "open_release",
    "publish",
    "resolve_store",
    "set_current",
]
