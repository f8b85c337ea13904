"""What runs flows: the executor, the flow and task actors, and what they share."""
