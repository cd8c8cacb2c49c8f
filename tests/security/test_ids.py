"""Ids from outside are bounded to the database's integer range before any query (issue 14): an id
past 2^31 - 1 was a 500 on PostgreSQL ("out of range for type integer") and past 2^63 on SQLite,
on every route that takes one, and the refusal was never audited. Now no such row exists, and the
answer is the one any made-up address gets: 404 (a field error in a form)."""
from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from clinic.formkit import MAX_ID, IdConverter, as_id
from tests.test_access import ACCESS, ANYONE, OWN, A, C, S

BEYOND = (2**31, 2**63, 10**30)


def id_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        ids = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if ids:
            yield rule, ids


def test_every_integer_in_a_route_is_a_bounded_id(app):
    routes = list(id_routes(app))
    assert len(routes) > 50
    loose = [rule.rule for rule, names in routes
             if not all(isinstance(rule._converters[n], IdConverter) for n in names)]
    assert loose == [], "use <id:...> for database ids"


def _sample(converter):
    """A value the converter accepts: one of an any() route's words, else 1."""
    return sorted(converter.items)[0] if isinstance(converter, AnyConverter) else 1


def _role(endpoint: str) -> str:
    rule = ACCESS[endpoint]
    if rule == ANYONE:
        return "anonymous"
    return next(r for r in (C, A, S) if r in rule or (r == S and OWN in rule))


@pytest.mark.parametrize("number", BEYOND, ids=("2^31", "2^63", "10^30"))
def test_an_id_past_the_integer_range_is_an_ordinary_404_on_every_route(app, users, client_as, bearer, number):
    clients = {role: client_as(role) for role in ("anonymous", C, A, S)}
    problems = []
    for rule, names in id_routes(app):
        values = {name: _sample(rule._converters.get(name)) for name in rule.arguments} | {name: number for name in names}
        url = rule.build(values, append_unknown=False)[1]
        role = _role(rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if url.startswith("/api/"):
                response = app.test_client().open(url, method=method, json={}, headers=bearer(role))
            else:
                response = clients[role].open(url, method=method)
            if response.status_code != 404:
                problems.append(f"{method} {url} as {role}: {response.status_code}")
    assert problems == []


@pytest.mark.parametrize("text, expected", [("1", 1), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None),
                                            ("-3", None), (str(2**63), None), ("²", None), ("", None), (None, None)])
def test_an_id_read_from_a_form_or_query_is_within_the_integer_range(text, expected):
    assert as_id(text) == expected


def test_a_select_of_ids_refuses_a_number_past_the_range_beside_its_field(app, client_as, users, session):
    """SelectFields coerced ids with int(): 2^63 reached the organization lookup (a 500)."""
    from tests import factories

    person = factories.ClinicianFactory(kind="specialist")
    session.flush()
    response = client_as(A).post(f"/directory/clinicians/{person.id}/links/affiliations",
                                 data={"organization": str(2**63), "start": "2020-01-01"})
    assert response.status_code == 422 and "Invalid Choice" in response.get_data(as_text=True)


def test_the_audit_trail_ignores_a_paging_cursor_past_the_range(client_as):
    assert client_as(A).get(f"/admin/audit/?before={2**63}").status_code == 200
