"""Command groups beyond the core pipeline. Each module defines `register(cli)`; cli.py finds them."""
