import sys

from ballot.cli.main import main

sys.exit(main())
