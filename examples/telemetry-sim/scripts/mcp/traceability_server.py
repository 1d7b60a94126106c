"""MCP server: design decisions and the commits that touched them."""

import os
import sqlite3
from pathlib import Path

from fastmcp import FastMCP

ROOT = Path(__file__).resolve().parents[2]
DB = Path(os.environ.get("TRACE_DB", ROOT / "build" / "debug" / "db" / "traceability.db"))

mcp = FastMCP("traceability")


@mcp.tool
def list_decisions() -> list[dict]:
    """Every recorded design decision with its status."""
    if not DB.exists():
        return [{"error": f"{DB} does not exist: build the trace-decisions target first"}]
    with sqlite3.connect(DB) as db:
        rows = db.execute("SELECT id, title, status FROM decisions ORDER BY id").fetchall()
    return [{"id": i, "title": t, "status": s} for i, t, s in rows]


@mcp.tool
def recent_commits(limit: int = 10) -> list[dict]:
    """The most recent commits recorded by trace-git."""
    if not DB.exists():
        return [{"error": f"{DB} does not exist: build the trace-git target first"}]
    with sqlite3.connect(DB) as db:
        rows = db.execute("SELECT sha, author, subject FROM commits LIMIT ?", (limit,)).fetchall()
    return [{"sha": sha, "author": a, "subject": s} for sha, a, s in rows]


if __name__ == "__main__":
    mcp.run()
