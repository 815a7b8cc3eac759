"""oretrace: an open-source platform for responsible mineral supply chains."""

__version__ = "0.1.0"
