"""The agent CLIs' own hooks: installing orchestra's entries in their settings files, and the
per-pane log of the events they report."""
