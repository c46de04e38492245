"""The district service's side of xlwings' VBA client (``Remote.bas``'s ``RunServerPython``): the book
the client sends read as a RawBook (:mod:`.payload`), the CLI's job run on it, and the answer written
as actions the client runs (:mod:`.actions`); :mod:`.service` is the endpoint. See docs/xlwings-remote.md."""
