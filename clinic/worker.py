"""`clinic worker`: one long-running loop for the work that is due without anyone asking — the outbox,
reminders, the replies in the clinic's mailbox. Each package adds its task in its init_app
(`add_task`); the loop runs them in turn every WORKER_INTERVAL_SECONDS.

Several workers may run at once: every task claims its rows (compare-and-set, unique keys), so
nothing is done twice. A task that fails is logged and rolled back; the others still run, and it
is tried again on the next round. SIGTERM and SIGINT finish the round in progress, then stop.
"""
from __future__ import annotations

import signal
import time
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from clinic.extensions import db
from clinic.wiring import wiring


def add_task(app: Flask, name: str, task: Callable[[], object]) -> None:
    """`task()` runs in an app context and commits its own work; what it returns is logged."""
    wiring(app).worker_tasks.append((name, task))


def run_once() -> dict[str, object]:
    """Every task once; returns what each did (or the error's type when it failed)."""
    done = {}
    for name, task in wiring().worker_tasks:
        try:
            done[name] = task()
        except Exception as error:  # one failing task must not stop the others (logged with its trace)
            db.session.rollback()
            current_app.logger.exception("worker task %s failed", name)
            done[name] = f"failed: {type(error).__name__}"
        finally:
            db.session.remove()
    return done


@click.command("worker")
@click.option("--once", is_flag=True, help="One round of every task, then exit (for cron).")
@with_appcontext
def worker_command(once: bool):
    """Run the due work in a loop: deliver mail, send reminders, read replies from the mailbox."""
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    interval = current_app.config["WORKER_INTERVAL_SECONDS"]
    click.echo(f"worker: {', '.join(name for name, _ in wiring().worker_tasks)} every {interval} s")
    while not stopping:
        done = run_once()
        if any(value for value in done.values()):
            click.echo(" · ".join(f"{name}: {value}" for name, value in done.items()))
        if once:
            return
        for _ in range(interval * 10):
            if stopping:
                break
            time.sleep(0.1)
    click.echo("worker: stopped")


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
