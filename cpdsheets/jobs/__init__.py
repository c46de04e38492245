"""The application layer: what a door asks for (validate, recalc, archive, rollup, bind, clear-marks),
run on a book the door has read, answered with typed results the door renders or writes.

Doors (the CLI, the Excel buttons, the web service) call these and never the engine; as_of and the
other choices a request makes are resolved here, once. See tests/test_layers.py.
"""
