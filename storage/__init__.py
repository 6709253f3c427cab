"""The only room with SQL: tables, sessions, migrations and named queries."""
