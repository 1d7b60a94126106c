"""The traceability database shared by the trace-* targets and the MCP servers."""

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS commits (sha TEXT PRIMARY KEY, author TEXT, subject TEXT);
CREATE TABLE IF NOT EXISTS symbols (name TEXT, kind TEXT, file TEXT, line INTEGER);
CREATE TABLE IF NOT EXISTS decisions (id TEXT PRIMARY KEY, title TEXT, status TEXT, file TEXT);
CREATE TABLE IF NOT EXISTS record_mappings (record TEXT, field TEXT, symbol TEXT);
"""


def connect(path):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db
