"""Maestro's read views of instances and steps, pagination and step logs."""
