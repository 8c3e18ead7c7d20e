"""Security tests: hostile and malformed input, formula injection, leaks, nothing lost."""
