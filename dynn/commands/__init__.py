"""Subcommands of the ``dynn`` command line (see :mod:`dynn.cli`); one module per command."""
