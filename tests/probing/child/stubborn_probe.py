"""A child for the signal tests that ignores SIGINT and SIGTERM and starts a grandchild that ignores them
too (ignored signals stay ignored across exec), then waits: only killing its process group ends them."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    time.sleep(60)
