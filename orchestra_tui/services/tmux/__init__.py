"""tmux as a service: this machine's server and each `[[host]]`'s over ssh behind one
router, the send recipe, control mode, attaching the person's terminal, and which agent runs in
which pane."""
