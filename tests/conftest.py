"""The test suite mirrors the code (no fixture here is shared by unit and end-to-end tests, so none lives here):

  tests/unit/<subpackage>/test_<module>.py   one module of pipeline/<subpackage>/ (models/, tasks/ in-process)
  tests/unit/test_layering.py                pipeline/ imports no Luigi; no module over 300 lines
  tests/e2e/                                 `luigi --module tasks ...` in a subprocess, or a finished run's files;
                                             every test there is marked `e2e`; its conftest.py owns the tiny run
  tests/helpers/                             what tests share: luigi subprocesses, media files, official layouts
"""
