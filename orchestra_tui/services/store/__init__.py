"""What orchestra keeps on disk in its data dir: the prompt queues, the journal, the agents it
started, the GitHub desk's state, kept screens, and the locks that make one app the writer."""
