"""Release store: immutable, atomically published sets of observations."""

from barometer.store.releases import (
    Release,
    StoreError,
    check_writable,
    current_release_id,
    list_releases,
    open_release,
    publish,
    resolve_store,
    set_current,
    verify_release,
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
    "check_writable",
    "current_release_id",
    "list_releases",
    "observation_table",
    "open_release",
    "publish",
    "resolve_store",
    "set_current",
    "verify_release",
]
