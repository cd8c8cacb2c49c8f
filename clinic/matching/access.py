"""Object-level access for specialists: only their own assignments exist for them."""
from __future__ import annotations

from flask_login import current_user

from clinic.auth.access import deny
from clinic.extensions import db
from clinic.matching.models import Assignment


def own_assignment(assignment_id: int) -> Assignment:
    """The signed-in specialist's assignment; any other answers 404 and the attempt is audited."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.specialist_id != current_user.clinician_id:
        deny("assignment", assignment_id)
    return assignment
