"""Maestro's workflow DSLs: ``yaml_dsl`` turns the YAML DSL into a workflow create request."""
