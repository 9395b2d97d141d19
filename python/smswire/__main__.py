"""``python -m smswire`` runs the command line."""

from smswire.cli import main

raise SystemExit(main())
