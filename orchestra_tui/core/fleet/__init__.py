"""The fleet: each tick's reading of every agent (hooks and screens fused), the verbs that direct
them (send, answer, interrupt, restart), and the alerts they raise."""
