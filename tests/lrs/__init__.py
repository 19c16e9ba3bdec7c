"""Test helpers for a real Learning Record Store (Ralph) and a test-side cmi5 LMS.

- ``lrs.server``: start Ralph (its own venv, ``scripts/ralph/launch.py``), post and read statements;
- ``lrs.cmi5_lms``: fetch token, ``LMS.LaunchData`` and other State, launch URLs; statements forwarded to Ralph;
- ``lrs.validate``: strict statement validation (@learninglocker/xapi-validation, Ralph's model);
- ``lrs.fixtures``: the pytest fixtures (``ralph``, ``clean_ralph``, ``ralph_factory``, ``cmi5_lms`` ...),
  registered for every test by ``tests/conftest.py``.
"""
