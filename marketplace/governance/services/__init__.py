"""Writes of governance: disputes, statements asked of the parties, violations. Views, tasks and the API call these."""

from .disputes import dispute_dismiss, dispute_file, dispute_investigate, dispute_uphold
from .statements import statement_request, statement_submit
from .violations import violation_record, violation_rescind

__all__ = [
    "dispute_dismiss",
    "dispute_file",
    "dispute_investigate",
    "dispute_uphold",
    "statement_request",
    "statement_submit",
    "violation_record",
    "violation_rescind",
]
