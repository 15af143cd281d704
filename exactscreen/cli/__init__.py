"""Subcommands of the ``exactscreen`` CLI, one module each (see ``exactscreen.cli.main``)."""
