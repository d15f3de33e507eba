"""Migration plans: from the team's current framework to the recommended (or requested) one."""
