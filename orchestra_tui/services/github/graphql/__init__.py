"""GraphQL documents orchestra sends, one operation per `.graphql` file (package data)."""
