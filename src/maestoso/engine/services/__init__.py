"""What the API, the CLI and the triggers call: workflows, starts, actions and controls."""
