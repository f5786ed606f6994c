"""`naerpoliti new KIND ...`: scaffold a content file with every required field (issue 7)."""
from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("new", help="create a content file with the required fields")
    p.add_argument("kind", choices=["news", "event", "page", "ambassador", "locality"])


def main(args: argparse.Namespace) -> int:
    raise NotImplementedError("naerpoliti new is being written")
