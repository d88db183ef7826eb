"""Notifications that find the person away from the app: their terminal (OSC 9/777/99 or the
bell, through tmux and ssh), the desktop, push and chat services through apprise, or a program of
their own. Each channel sends one `NotifyEvent` and says whether it arrived; which events go
where, and when, is `core.notify_policy`'s decision."""
