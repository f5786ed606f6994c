"""naerpoliti: a static-site generator for community policing in Denmark."""

__version__ = "0.1.0"
