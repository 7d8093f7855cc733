"""``python -m hub.domains --shared-i18n-sources | --i18n-domains | --names | --write-pots``."""

import sys

from hub.domains import main

sys.exit(main(sys.argv[1:]))
