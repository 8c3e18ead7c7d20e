"""The built-in rule sets (``esf-2007``, ``esf-2014``, ``esf-2021``; ``yei-2014``, the YEI's
Annex II results keyed ``YEI-CR01``…; ``pocu-2014``, an example of programme-specific indicators
with aliases) and the crosswalk, as data.

Read them through :func:`inclusionkit.load_ruleset` and :func:`inclusionkit.crosswalk`; the files
are data valid against ``schemas/ruleset.schema.json`` and ship inside the wheel.
"""
