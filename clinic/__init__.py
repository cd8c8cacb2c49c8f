"""Second-opinion referral and scheduling: the application factory."""
from __future__ import annotations

import gc
import logging
from pathlib import Path

from flask import Flask

from clinic import (admin, api, auth, cases, cli, coverage, directory, i18n, inbox, mail, matching, outcomes,
                    patients, records, review, scheduling, security, web, wiring, worker)
from clinic import config as settings
from clinic.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from clinic.formkit import IdConverter

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    """The clinic, stage by stage: each package's init_app adds its pages, the workflow guards it
    owns and its places in earlier stages (case-page panels, queue flags, navigation, commands)."""
    app = Flask(__name__, instance_relative_config=True, template_folder=str(TEMPLATES))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.url_map.converters["id"] = IdConverter  # before any blueprint's routes use <id:...>
    if config and config.get("TESTING"):
        # Tests give their own settings and must not depend on the environment.
        app.config.update(settings.from_environment(app.instance_path) | config)
    else:
        app.config.update(settings.from_environment(app.instance_path))
        app.config.update(config or {})

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    _import_models()

    wiring.init_app(app)     # the registries the stages below fill
    worker.init_app(app)     # `clinic worker`: the loop over the tasks the stages add
    security.init_app(app)   # at the door: body limits, NUL characters, security headers
    i18n.init_app(app)       # languages: Flask-Babel, the patient's language for what they read
    web.init_app(app)        # the page shell: navigation, error pages, times on the reader's clock
    auth.init_app(app)       # sign-in, sessions, API tokens
    admin.init_app(app)      # staff accounts and the audit log
    mail.init_app(app)       # the outbox, delivered after commit
    directory.init_app(app)  # clinicians, organizations, ties, plans; the roster import
    cases.init_app(app)      # 1. intake, the workflow, the work queue, the case page
    records.init_app(app)    # 2. records checklist and the gate to matching
    coverage.init_app(app)   # 2. insurance checks
    matching.init_app(app)   # 3. the independent specialist
    scheduling.init_app(app)  # 4. openings, bookings, invites
    inbox.init_app(app)      # 4. replies to invites from the clinic's mailbox
    review.init_app(app)     # 5. the specialist's review and opinion
    outcomes.init_app(app)   # 6. comparison, decision, report, dashboard
    patients.init_app(app)   # the patient's side: acknowledgement, status page, reminders
    api.init_app(app)        # the JSON API over stages 1-6
    cli.init_app(app)        # whole-clinic commands: demo, users, outbox, bench
    _quiet_logs(app)
    return app


def freeze_startup_objects() -> None:
    """Move every object alive now (modules, mappers, compiled templates, reference data) out of the
    garbage collector's reach. They live as long as the process; left in, every full collection
    walks them all again, which measured 40-80 ms per match against 5,000 specialists. Python's gc
    documentation recommends it for servers (gc.freeze); wsgi.py calls it once the app is built."""
    gc.collect()
    gc.freeze()


def _import_models() -> None:
    """Import every models module so SQLAlchemy and Alembic see the whole schema."""
    from clinic.audit import models as _audit  # noqa: F401
    from clinic.auth import models as _auth  # noqa: F401
    from clinic.cases import models as _cases  # noqa: F401
    from clinic.coverage import models as _coverage  # noqa: F401
    from clinic.directory import models as _directory  # noqa: F401
    from clinic.inbox import models as _inbox  # noqa: F401
    from clinic.mail import models as _mail  # noqa: F401
    from clinic.matching import models as _matching  # noqa: F401
    from clinic.outcomes import models as _outcomes  # noqa: F401
    from clinic.patients import models as _patients  # noqa: F401
    from clinic.records import models as _records  # noqa: F401
    from clinic.review import models as _review  # noqa: F401
    from clinic.scheduling import models as _scheduling  # noqa: F401


def _quiet_logs(app: Flask) -> None:
    # Werkzeug's access log writes full URLs; ours carry only ids, but query
    # strings of filters are noise in production logs.
    if app.config["CLINIC_ENV"] == "production":
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
