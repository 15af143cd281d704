"""Checks of the papers' claims: one test module per paper section.

Each test carries the claim IDs it replays (``@claim("STT-THM1")`` from
:mod:`exactscreen.claims`); ``exactscreen check`` runs them and prints one row
per claim.  Installed, this directory is the package ``exactscreen.proofs_checks``.
"""
