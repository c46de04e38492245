"""`cpdsheets serve`: the district service (FastAPI), so that no school needs Python or a command line.

``create_app(settings)`` (app.py) builds it; the jobs are the CLI's, run in worker processes
(runner.py, work.py); uploads are stored by content hash (blobs.py) with their results in the
database (models.py, database.py); accounts, tokens, sessions and CSRF in auth.py and deps.py.
"""
