"""Tests for the bundled examples (inclusionkit.examples)."""
