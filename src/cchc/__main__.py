"""Allow ``python -m cchc``."""

from cchc.cli.app import main

main()
