"""Index the design decisions (docs/decisions/*.md)."""

import argparse
import re
from pathlib import Path

from tracedb import connect


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decisions", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    db = connect(args.db)
    db.execute("DELETE FROM decisions")
    count = 0
    for path in sorted(Path(args.decisions).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^# (\d+): (.+)$", text, re.M)
        status = re.search(r"^Status: (\w+)", text, re.M)
        if title:
            db.execute("INSERT INTO decisions VALUES (?, ?, ?, ?)",
                       (title.group(1), title.group(2), status.group(1) if status else "", path.name))
            count += 1
    db.commit()
    print(f"trace-decisions: {count} decisions")


if __name__ == "__main__":
    main()
