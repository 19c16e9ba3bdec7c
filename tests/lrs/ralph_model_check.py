"""Validate xAPI statements with Ralph's strict ``BaseXapiStatement`` model; used by validate.py.

Run with the Python of Ralph's venv. Reads a JSON array of statements on stdin; writes a JSON array
with, per statement, a list of problems ("loc: message"), empty when the statement is valid.
"""
import json
import sys

from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement


def problems(statement) -> list:
    try:
        BaseXapiStatement.model_validate(statement)
    except ValidationError as error:
        return [".".join(str(part) for part in item["loc"]) + ": " + item["msg"]
                for item in error.errors(include_url=False)]
    except Exception as error:  # the model's own validators fail on some non-objects
        return [f"statement: {type(error).__name__}: {error}"]
    return []


json.dump([problems(statement) for statement in json.load(sys.stdin)], sys.stdout)
