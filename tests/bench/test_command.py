"""`clinic bench` end to end on a tiny clinic: it builds, measures every page and core, writes JSON,
and refuses a database that already holds data. (Times are reported, never asserted.)"""
from __future__ import annotations

import json

from click.testing import CliRunner

from clinic.bench.command import bench_command
from clinic.bench.pages import PAGES

TINY = ["--cases", "80", "--specialists", "30", "--affiliations", "60", "--networks", "200", "--appointments", "6",
        "--runs", "2"]


def test_bench_builds_a_clinic_measures_every_page_and_writes_the_figures(tmp_path):
    report, profiles = tmp_path / "bench.json", tmp_path / "profiles"
    result = CliRunner().invoke(bench_command, [*TINY, "--database-url", f"sqlite:///{tmp_path / 'bench.db'}",
                                                "--json", str(report), "--profile", str(profiles)])
    assert result.exit_code == 0, result.output
    figures = {row["name"]: row for row in json.loads(report.read_text())["figures"]}
    for page in PAGES:
        assert figures[page.name]["runs"] == 2 and figures[page.name]["queries"] is not None
    assert figures["hello-world route (floor)"]["queries"] == 0
    assert figures["invites built"]["value"] > 0
    reminders = next(name for name in figures if name.startswith("reminders due, one worker tick"))
    assert figures[reminders]["runs"] == 2 and figures[reminders]["queries"] is not None
    assert any(name.startswith("roster import") for name in figures)
    assert "target" in result.output and "x floor" in result.output
    # No page is within five times a bare route: the work queue's profile says where its time goes.
    assert "queue_view" in (profiles / "work-queue-first-page.txt").read_text()


def test_bench_refuses_a_database_that_is_not_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    assert CliRunner().invoke(bench_command, [*TINY, "--database-url", url]).exit_code == 0
    again = CliRunner().invoke(bench_command, [*TINY, "--database-url", url])
    assert again.exit_code != 0 and "must be empty" in again.output
