"""A seeded generator of a realistic synthetic Denmark: person-level registers at any scale (docs/synth.md)."""
