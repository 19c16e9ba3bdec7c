"""Serve scormhost for the real-LMS tests (run by the Python of .venv-scormhost).

Usage: ``scormhost_app.py DATA_DIR PORT``. SQLite and every stored session live in DATA_DIR; the
server binds 127.0.0.1 only.
"""
import sys
from pathlib import Path

import uvicorn
from scormhost import create_scorm_app

if __name__ == "__main__":
    data = Path(sys.argv[1]).resolve()
    app = create_scorm_app(data_dir=data, title="elearn tests", secret_key="elearn-tests-only-" + "x" * 32,
                           database_url=f"sqlite:///{data / 'users.sqlite3'}")
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="info")  # requests in the log
