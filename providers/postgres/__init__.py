"""PostgreSQL tables and views (``provider``), typed from pg_catalog (``pg_catalog``)."""
