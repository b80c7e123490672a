"""The only place APScheduler lives: it ticks; the tick asks the database what is due."""
