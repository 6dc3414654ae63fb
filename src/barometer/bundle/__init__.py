"""Bulk downloads: each release as one zip (observations, catalogue, definitions, provenance, PDF reports)."""

from barometer.bundle.build import BundleInfo, bundle_path, ensure_bundle, read_bundle

__all__ = ["BundleInfo", "bundle_path", "ensure_bundle", "read_bundle"]
