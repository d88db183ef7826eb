"""How things read on screen: state phrases, why-explanations, durations and figures, GitHub
terms. One place, so every widget says the same."""
