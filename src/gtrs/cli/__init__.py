"""The `gtrs` command, one module per verb group (each command a thin, typed mirror of a Python
function): app.py (the apps, --version, one error line), predict.py, evaluate.py, train.py, data.py,
bench.py; ``main`` turns bad input and OS errors into one `error:` line and exit code 2."""
from __future__ import annotations

import typer

# isort: off  (each module registers its commands; this order is the order of `gtrs --help`)
from gtrs.cli import predict, train, evaluate, data, bench  # noqa: F401
# isort: on
from gtrs.cli.app import app


def main() -> None:
    """The ``gtrs`` entry point: bad input of any command (a missing or corrupt file, a wrong value)
    ends in one ``error:`` line on stderr and exit code 2, never a traceback."""
    try:
        app()
    except (FileNotFoundError, ValueError, ImportError) as e:  # the package's error types are ValueErrors;
        typer.echo(f"error: {e}", err=True)  # ImportError: an optional extra is not installed
        raise SystemExit(2) from None
    except OSError as e:  # a full disk, a folder that cannot be written, a path through a file
        typer.echo(f"error: {os_error_line(e)}", err=True)
        raise SystemExit(2) from None


def os_error_line(e: OSError) -> str:
    """One line for an OSError: what failed, on which path, and what to do."""
    import errno

    where = f"{e.filename}: " if e.filename else ""
    hint = {errno.ENOSPC: "the disk is full; free space and run the same command again: finished work is kept",
            errno.EDQUOT: "the disk quota is used up; free space and run the same command again",
            errno.EACCES: "no permission to write there; choose another --out or change its permissions",
            errno.EPERM: "not permitted; choose another --out or change its permissions",
            errno.EROFS: "the file system is read-only; choose another --out",
            errno.ENOTDIR: "a part of this path is a file, not a folder; choose another --out",
            errno.EISDIR: "this is a folder, a file was expected"}.get(e.errno, "")
    return f"{where}{e.strerror or e}" + (f" ({hint})" if hint else "")


if __name__ == "__main__":
    main()
