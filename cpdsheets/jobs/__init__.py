"""The application layer: what a door asks for, run on a book the door has read, answered with typed
results the door writes and renders. A door goes parse -> job -> door -> render, and never calls the
engine itself (tests/test_layers.py).

One job per command, each taking a frozen request (:class:`.request.BookRequest`: the book, the
language, the request's own as-of date, and the command's options):

- validate, recalc: :mod:`.book` (``ValidateRequest`` -> ``Validated``, ``RecalcRequest`` -> ``Recalculation``);
- the output tabs and cell marks, a separate step for a door that writes them: :mod:`.tabs`;
- archive: :mod:`.archive`; a roll-up, the district over its schools and one school: :mod:`.rollup`
  (the fan-out over the books is the job's, on the map over workers the door hands in); bind: :mod:`.bind`;
- clear-marks: :mod:`.marks`; new: :mod:`.new` (what to build; the template door writes it).

The as-of date is settled once, in the job (:mod:`.dates`): the request's, else the book's 规则, else
today; a roll-up's is the request's or today, one for every school.
"""
