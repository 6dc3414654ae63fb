"""The register input contract: declared tables, on-disk layout, manifest and validation."""
