"""Exit 0 if the service at the URL answers within 2 s, 1 otherwise.

Usage: check_services.py postgres|redis URL
"""

from __future__ import annotations

import sys


def main(kind: str, url: str) -> int:
    try:
        if kind == "postgres":
            import dj_database_url
            import psycopg

            config = dj_database_url.parse(url)
            psycopg.connect(
                host=config["HOST"] or None,
                port=config["PORT"] or None,
                user=config["USER"] or None,
                password=config["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=2,
            ).close()
        elif kind == "redis":
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        else:
            print(f"unknown service {kind}", file=sys.stderr)
            return 2
    except Exception as error:  # any failure means "not reachable"
        print(f"{kind} not reachable: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
