"""naerpoliti: a static-site generator for community policing in Denmark."""

# The one place the version is written: pyproject.toml reads it (dynamic version), and so do the
# pages' <meta name="generator"> and `naerpoliti --version`. A release is tagged v + this.
__version__ = "0.2.0"
