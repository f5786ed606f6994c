#!/usr/bin/env python3
"""python build.py [options] is the same as: naerpoliti build [options]"""
import sys

from naerpoliti.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
