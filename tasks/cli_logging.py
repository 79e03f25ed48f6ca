"""Bad input reads as one line: a DataError logged by Luigi loses its traceback.

Luigi logs every failure with `logger.exception` on the "luigi-interface" logger, both for errors
while parsing the command line and for a task whose run() raised. For our DataError the message
already names the file and the fix, so the traceback only hides it.
"""
import logging

from pipeline.errors import DataError


class OneLineDataErrors(logging.Filter):
    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, DataError):
            record.msg, record.args, record.exc_info, record.exc_text = str(exc), (), None, None
        return True


class ToLuigi(logging.Handler):
    """Send the library's log records (logger "pipeline.*") to wherever Luigi sends its own."""

    def emit(self, record):
        logging.getLogger("luigi-interface").handle(record)


def install() -> None:
    logger = logging.getLogger("luigi-interface")
    if not any(isinstance(f, OneLineDataErrors) for f in logger.filters):
        logger.addFilter(OneLineDataErrors())
    lib = logging.getLogger("pipeline")
    if not any(isinstance(h, ToLuigi) for h in lib.handlers):
        lib.addHandler(ToLuigi())
        lib.setLevel(logging.INFO)
        lib.propagate = False
