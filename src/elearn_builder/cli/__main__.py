"""``python -m elearn_builder.cli``: the ``elearn`` command."""
from elearn_builder.cli.commands import main

main()
