"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""
from clinic import create_app, freeze_startup_objects

app = create_app()
freeze_startup_objects()
