"""Run one command and report its wall time, CPU time (user + system of the whole process
tree) and peak memory (RSS of the largest process of the tree) as JSON on stdout.

The usage comes from wait4 on the command itself, not from getrusage(RUSAGE_CHILDREN):
a python3 reached through a shim (pyenv) inherits the usage of the shim's own children.

usage: measure.py CWD -- CMD ARGS...
"""

import json
import os
import subprocess
import sys
import time


def main():
    cwd = sys.argv[1]
    command = sys.argv[sys.argv.index("--") + 1:]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    json.dump(
        {
            "code": process.returncode,
            "seconds": wall,
            "cpuSeconds": usage.ru_utime + usage.ru_stime,
            "peakKiB": usage.ru_maxrss,
            "stderr": stderr.decode("utf-8", "replace")[-2000:],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
