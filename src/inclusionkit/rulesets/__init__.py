"""The built-in rule sets (``esf-2007``, ``esf-2014``, ``esf-2021``) and the crosswalk, as data.

Read them through :func:`inclusionkit.load_ruleset` and :func:`inclusionkit.crosswalk`; the files
are data valid against ``schemas/ruleset.schema.json`` and ship inside the wheel.
"""
