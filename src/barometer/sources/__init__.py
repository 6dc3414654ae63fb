"""Importers of aggregate figures (published barometer figures, later StatBank, survey, housing lists)."""
