"""What the app does when a screen asks: fleet actions, GitHub actions, new and retired agents,
nudges. The app owns one of each; screens reach them only through messages."""
