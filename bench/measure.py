"""Run one command and report its wall time and peak memory (RSS of the process tree
that ended, as the kernel's getrusage sees it) as JSON on stdout.

usage: measure.py CWD -- CMD ARGS...
"""

import json
import resource
import subprocess
import sys
import time


def main():
    cwd = sys.argv[1]
    command = sys.argv[sys.argv.index("--") + 1:]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    json.dump(
        {
            "code": result.returncode,
            "seconds": wall,
            "peakKiB": peak_kib,
            "stderr": result.stderr.decode("utf-8", "replace")[-2000:],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
