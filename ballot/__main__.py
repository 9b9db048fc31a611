import sys

from ballot.cli import main

sys.exit(main())
