"""Record the repository's commits in the traceability database."""

import argparse
import subprocess

from tracedb import connect


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    out = subprocess.run(
        ["git", "-C", args.repo, "log", "--format=%H%x09%an%x09%s"],
        capture_output=True, text=True, check=False,
    ).stdout
    db = connect(args.db)
    db.execute("DELETE FROM commits")
    rows = [line.split("\t", 2) for line in out.splitlines() if line.count("\t") == 2]
    db.executemany("INSERT OR REPLACE INTO commits VALUES (?, ?, ?)", rows)
    db.commit()
    print(f"trace-git: {len(rows)} commits")


if __name__ == "__main__":
    main()
