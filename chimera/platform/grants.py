"""The runtime role's privileges and row-level security, changed only where they differ.

Every process start asserts them (`chimera.platform.db.migrate`). On a live database they are
almost always in place already, and re-issuing the DDL would take an ACCESS EXCLUSIVE lock on
every tenant table (ALTER TABLE, DROP/CREATE POLICY) while runs use them: a start beside a busy
process could deadlock with it. So the current state is read from the catalogs first, and only
what is missing or extra is granted, revoked or created, in the caller's one transaction.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from chimera.platform.settings import Settings

APPEND_ONLY = ("audit_log", "payment_ledger", "wallet_ledger")
"""Records the runtime role may only insert into and read (governance: append-only)."""
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
"""LangGraph's saver tables: the runtime role writes them but deletes only through retention."""
RUNTIME_FUNCTIONS = (
    "chimera_campaign_usable(text)",
    "chimera_prunable_threads(timestamptz, text[])",
    "chimera_prune_thread(text, text, timestamptz)",
)
"""SECURITY DEFINER functions the runtime role may call (each answers or does one narrow thing)."""
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
DML = frozenset(PRIVILEGES[:4])
GRANTED: dict[str, frozenset[str]] = {
    **dict.fromkeys(APPEND_ONLY, frozenset({"SELECT", "INSERT"})),
    **dict.fromkeys(CHECKPOINT_TABLES, frozenset({"SELECT", "INSERT", "UPDATE"})),
    "checkpoint_migrations": frozenset({"SELECT"}),
    "schema_migrations": frozenset(),  # the migration ledger is the owner's alone
}
"""Tables whose privileges differ from the default (SELECT, INSERT, UPDATE, DELETE)."""
POLICY = "(tenant_id = current_setting('app.tenant_id'::text, true))"
"""The tenant policy's expression as `pg_policies` shows it."""


def secure(conn: psycopg.Connection, settings: Settings) -> None:
    """Make the runtime role and the tenant tables' RLS what Chimera needs (one transaction)."""
    role = settings.app_db_role
    _role(conn, role, settings.app_db_password.get_secret_value())
    _table_privileges(conn, role)
    _usage(conn, role)
    for table in _tenant_tables(conn):
        _tenant_policy(conn, table)


def _role(conn: psycopg.Connection, role: str, password: str) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    stmt = "ALTER ROLE {} LOGIN PASSWORD {}" if exists else "CREATE ROLE {} LOGIN PASSWORD {}"
    conn.execute(sql.SQL(stmt).format(sql.Identifier(role), sql.Literal(password)))


_HELD = (
    "SELECT c.relname, array_remove(ARRAY["
    + ", ".join(
        f"CASE WHEN has_table_privilege(%(r)s, c.oid, '{p}') THEN '{p}' END" for p in PRIVILEGES
    )
    + "], NULL) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
)
"""Each public table with the privileges the runtime role holds on it."""


def _table_privileges(conn: psycopg.Connection, role: str) -> None:
    """Grant what is missing and revoke what is extra, table by table."""
    for table, held in conn.execute(_HELD, {"r": role}).fetchall():
        wanted, have = GRANTED.get(table, DML), frozenset(held)
        for verb, privileges in (
            ("GRANT {} ON {} TO {}", wanted - have),
            ("REVOKE {} ON {} FROM {}", have - wanted),
        ):
            if privileges:
                names = sql.SQL(", ").join(sql.SQL(p) for p in sorted(privileges))
                conn.execute(
                    sql.SQL(verb).format(names, sql.Identifier(table), sql.Identifier(role))
                )


def _usage(conn: psycopg.Connection, role: str) -> None:
    """CONNECT on the database, USAGE on the schema and its sequences, EXECUTE on our functions."""
    ident = sql.Identifier(role)
    sequences = (
        "SELECT coalesce(bool_and(has_sequence_privilege(%s, c.oid, 'USAGE')), true)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'S'"
    )
    needs: list[tuple[str, tuple[str, ...], sql.Composed]] = [
        (
            "SELECT has_database_privilege(%s, current_database(), 'CONNECT')",
            (role,),
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(conn.info.dbname), ident
            ),
        ),
        (
            "SELECT has_schema_privilege(%s, 'public', 'USAGE')",
            (role,),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
        ),
        (
            sequences,
            (role,),
            sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
        ),
        *(
            (
                "SELECT has_function_privilege(%s, %s, 'EXECUTE')",
                (role, function),
                sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), ident),
            )
            for function in RUNTIME_FUNCTIONS
        ),
    ]
    for query, params, grant in needs:
        row = conn.execute(query, params).fetchone()
        if row is None or not row[0]:
            conn.execute(grant)


def _tenant_tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND column_name = 'tenant_id'"
    ).fetchall()
    return [str(table) for (table,) in rows]


def _tenant_policy(conn: psycopg.Connection, table: str) -> None:
    """Forced RLS with the one tenant policy; nothing is touched when it is already so."""
    state = conn.execute(
        "SELECT c.relrowsecurity, c.relforcerowsecurity, p.qual, p.with_check"
        " FROM pg_class c LEFT JOIN pg_policies p ON p.schemaname = 'public'"
        "  AND p.tablename = c.relname AND p.policyname = 'tenant_isolation'"
        " WHERE c.oid = %s::regclass",
        (f'public."{table}"',),
    ).fetchone()
    if state == (True, True, POLICY, POLICY):
        return
    ident = sql.Identifier(table)
    conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
    conn.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(ident))
    conn.execute(sql.SQL("DROP POLICY IF EXISTS tenant_isolation ON {}").format(ident))
    conn.execute(
        sql.SQL(
            "CREATE POLICY tenant_isolation ON {} "
            "USING (tenant_id = current_setting('app.tenant_id', true)) "
            "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
        ).format(ident)
    )
