"""The one exception type a user sees: bad input, named with the fix."""


class DataError(ValueError):
    """Input the pipeline cannot use (missing dataset, bad file, unknown pair).

    Its message is a complete sentence naming what was looked at and how to fix it; the command line
    prints it as one line, without a traceback (tasks/cli_logging.py).
    """
