#!/usr/bin/env python3
"""What each table of a SQLite database costs: rows, MiB of table and of its
indexes, bytes a row (docs/PERFORMANCE.md, "Bytes per row").

    python3 bench/dbsize.py <file.db> [table ...]

Reads the file read-only through SQLite's dbstat virtual table (Python's
sqlite3 has it); without tables, the twelve largest.
"""
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
tbl = {}
for name, t in c.execute("select name, tbl_name from sqlite_master where type in ('table','index')"):
    tbl[name] = t
sizes = {}
for name, sz in c.execute("select name, sum(pgsize) from dbstat group by name"):
    t = tbl.get(name, name)
    d = sizes.setdefault(t, [0, 0])
    d[0 if name == t else 1] += sz
tables = sys.argv[2:] or sorted(sizes, key=lambda t: -sum(sizes[t]))[:12]
print("| table | rows | table MiB | indexes MiB | bytes/row (table) | bytes/row (indexes) | bytes/row (all) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for t in tables:
    if t not in sizes: continue
    n = c.execute('select count(*) from "%s"' % t).fetchone()[0]
    a, b = sizes[t]
    per = lambda x: "%d" % (x / n) if n else "-"
    print("| %s | %d | %.1f | %.1f | %s | %s | %s |" % (t, n, a / 2**20, b / 2**20, per(a), per(b), per(a + b)))
