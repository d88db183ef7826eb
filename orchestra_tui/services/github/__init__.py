"""GitHub over REST and GraphQL: one client, its pull requests and issues, the GraphQL
documents orchestra sends, and errors turned into something a person can act on."""
