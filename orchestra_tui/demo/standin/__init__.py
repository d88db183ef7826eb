"""The GitHub stand-in: GitHub's REST and GraphQL on loopback, over an in-memory world, so the
demo (`orchestra demo`, the quick start) and the tests talk to a real HTTP server. Stdlib only.
Nothing of orchestra outside `demo/` imports it (the tests, benchmarks and scripts do).

Its modules, each importing only those listed before it:

- `state`: the world's objects (repositories, pull requests, threads, checks, issues) and their
  REST renderings;
- `gql_parse`, `gql`: a GraphQL parser and an executor over plain dicts, with GitHub's cost rule;
- `objects`: the world as GitHub's GraphQL objects;
- `backend`: what the stand-in knows and counts (the world, rate budgets, injected faults, the
  record of answers and merges, its clock) and the `Reply` every route gives;
- `seed`: the demo's world;
- `rest`, `graph`: the REST routes and the GraphQL endpoint over a backend;
- `server`: `StandIn`, a backend served over HTTP; `python -m orchestra_tui.demo.standin`.
"""
