"""Map the fields of records.json to the C++ symbols that hold them."""

import argparse
import json

from tracedb import connect


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    with open(args.records, encoding="utf-8") as handle:
        records = json.load(handle)["records"]
    db = connect(args.db)
    db.execute("DELETE FROM record_mappings")
    known = {name for (name,) in db.execute("SELECT name FROM symbols")}
    count = 0
    for record in records:
        for field in record["fields"]:
            symbol = record["name"] if record["name"] in known else ""
            db.execute("INSERT INTO record_mappings VALUES (?, ?, ?)",
                       (record["name"], field["name"], symbol))
            count += 1
    db.commit()
    print(f"trace-record-mappings: {count} fields")


if __name__ == "__main__":
    main()
