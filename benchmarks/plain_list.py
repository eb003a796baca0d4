"""The floor of `incidents list --json`: the same SQL statements through plain sqlite3, the rows
written as JSON, in a fresh process (`python -m benchmarks.plain_list DB STATEMENTS.json`)."""

import json
import sqlite3
import sys

if __name__ == "__main__":
    connection = sqlite3.connect(sys.argv[1])
    with open(sys.argv[2]) as source:
        statements = json.load(source)
    for statement, parameters in statements:
        json.dump(connection.execute(statement, parameters).fetchall(), sys.stdout, default=str)
