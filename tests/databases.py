"""Scratch PostgreSQL databases for tests and benches: one statement run as the server's admin
(CREATE or DROP DATABASE cannot run inside a transaction, so not through SQLAlchemy's engine)."""

from __future__ import annotations


async def admin_execute(server: str, statement: str) -> None:
    """Run `statement` on the database `server` names (a postgresql:// URL)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server)
    conn = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host, port=url.port, database=url.database
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
