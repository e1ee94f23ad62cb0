"""The panel: independent implementations of the API, written from the two documents alone (README.md)."""
