"""Collect Doxygen comments (///) of the C++ headers into a SQLite database."""

import argparse
import re
import sqlite3
from pathlib import Path

DECL = re.compile(r"^\s*(?:struct|class)?\s*([\w:<>,\s&*]+?)\s*\(?")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(args.output)
    db.execute("DROP TABLE IF EXISTS docs")
    db.execute("CREATE TABLE docs (file TEXT, line INTEGER, declaration TEXT, doc TEXT)")
    count = 0
    for path in sorted(Path(args.source).glob("**/*.hpp")):
        pending = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("///"):
                pending.append(stripped[3:].strip())
            elif pending and stripped:
                db.execute("INSERT INTO docs VALUES (?, ?, ?, ?)",
                           (path.name, number, stripped, " ".join(pending)))
                count += 1
                pending = []
    db.commit()
    print(f"doxygen-db: {count} documented declarations")


if __name__ == "__main__":
    main()
