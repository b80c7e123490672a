"""The admin dashboard: server-rendered pages over the core's read models (a translation layer)."""
