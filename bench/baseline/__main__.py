"""``python -m bench.baseline --port P``: serve the baseline with uvicorn, one worker."""

from __future__ import annotations

import argparse

import uvicorn

from bench.baseline.app import create_app


def main() -> None:
    """Parse the address and run uvicorn in the foreground until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    args = parser.parse_args()
    # Access log off: a production deployment would not log every request at INFO either.
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
