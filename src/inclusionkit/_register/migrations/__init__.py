"""Alembic's migrations of the register: ``env.py`` and one module per revision in ``versions``.

They run from :func:`inclusionkit._register.migrate` (never from an ``alembic.ini``): opening a
register made by an older version of inclusionkit upgrades it to the newest revision.
"""
