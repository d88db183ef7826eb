"""While the person is away: notifications on transitions, usage-limit resets and resumes, rules for
routine stalls, and the summary when they come back."""
