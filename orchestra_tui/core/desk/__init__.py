"""The person's GitHub desk: pull requests with their merge gates, review threads and findings,
the lanes' issues, and which agent owns what."""
