"""Allow ``python -m cchc``."""

from cchc.cli.start import main

main()
